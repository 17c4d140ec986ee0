"""Event checks against a scheme: every bad case named, nothing silently accepted."""

from __future__ import annotations

from samspill.core.events import Event, event_problems, events_frame
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events

SCHEME = load_builtin_scheme("withdrawal-open")


def _problems(*events: Event, duration_ms: int | None = None, complete: bool = True) -> list[str]:
    return [
        str(p)
        for p in event_problems(list(events), SCHEME, duration_ms=duration_ms, complete=complete)
    ]


def test_the_vignette_is_valid_and_complete() -> None:
    assert (
        event_problems(vignette_events(), SCHEME, duration_ms=VIGNETTE_DURATION_MS, complete=True)
        == []
    )


def test_unknown_code_is_named_with_the_known_ones() -> None:
    [message] = _problems(Event(subject="child", code="giggle", onset_ms=5))
    assert "unknown code 'giggle'" in message and "bid" in message


def test_state_whose_offset_precedes_onset_is_refused() -> None:
    [message] = _problems(Event(subject="caregiver", code="hold", onset_ms=500, offset_ms=100))
    assert "comes before onset" in message


def test_overlapping_states_of_one_exclusive_group_are_refused() -> None:
    messages = _problems(
        Event(subject="caregiver", code="far", onset_ms=0, offset_ms=1000),
        Event(subject="caregiver", code="near", onset_ms=900, offset_ms=2000),
    )
    assert len(messages) == 1 and "'proximity'" in messages[0]


def test_adjacent_states_of_one_group_are_fine() -> None:
    assert (
        _problems(
            Event(subject="caregiver", code="far", onset_ms=0, offset_ms=1000),
            Event(subject="caregiver", code="near", onset_ms=1000, offset_ms=2000),
        )
        == []
    )


def test_times_beyond_the_media_are_refused() -> None:
    [message] = _problems(
        Event(subject="child", code="bid", onset_ms=9000, modifiers={"kind": "look"}),
        duration_ms=8000,
    )
    assert "beyond the media's duration" in message


def test_wrong_subject_and_unknown_modifier_option_are_named() -> None:
    messages = _problems(
        Event(subject="caregiver", code="bid", onset_ms=1, modifiers={"kind": "wave"})
    )
    assert any("does not apply to subject 'caregiver'" in m for m in messages)
    assert any("'wave' is not an option" in m for m in messages)


def test_running_state_is_allowed_while_coding_but_not_when_complete() -> None:
    running = Event(subject="caregiver", code="hold", onset_ms=10)
    assert _problems(running, complete=False) == []
    assert "has no offset" in _problems(running)[0]


def test_events_frame_has_documented_columns_and_integer_times() -> None:
    frame = events_frame(vignette_events(), SCHEME)
    assert list(frame.columns) == [
        "event_id",
        "subject",
        "code",
        "kind",
        "onset_ms",
        "offset_ms",
        "modifiers",
        "comment",
        "frame",
    ]
    assert str(frame["onset_ms"].dtype) == "int64" and str(frame["offset_ms"].dtype) == "Int64"
    assert frame["onset_ms"].is_monotonic_increasing
    assert set(frame.loc[frame.code == "far", "kind"]) == {"state"}
