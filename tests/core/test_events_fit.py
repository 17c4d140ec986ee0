"""events_fit answers "would event_problems find nothing?" without making the problems: held to
event_problems itself on random codings, valid and broken, under a scheme with exclusive
groups, single and multiple choices."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.events import Event, event_problems, events_fit
from samspill.core.scheme import Scheme
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events


def _scheme() -> Scheme:
    """withdrawal-open with its 'kind' set made a multiple choice."""
    data = load_builtin_scheme("withdrawal-open").model_dump()
    for mset in data["modifier_sets"]:
        if mset["id"] == "kind":
            mset["choice"] = "multiple"
    return Scheme.model_validate(data)


SCHEME = _scheme()
CODES = [c.id for c in SCHEME.codes] + ["unknown"]
SETS = {m.id: m.options for m in SCHEME.modifier_sets}


@st.composite
def events(draw: st.DrawFn) -> Event:
    code = draw(st.sampled_from(CODES))
    onset = draw(st.integers(0, 60_000))
    offset = draw(st.none() | st.integers(0, 60_000) | st.integers(onset, onset + 20_000))
    modifiers: dict[str, str | list[str]] = {}
    for set_id in draw(st.lists(st.sampled_from([*SETS, "nope"]), max_size=2, unique=True)):
        options = [*SETS.get(set_id, []), "other"]
        one = st.sampled_from(options)
        modifiers[set_id] = draw(one | st.lists(one, max_size=3))
    return Event(subject=draw(st.sampled_from(["child", "caregiver", "sibling"])), code=code,
                 onset_ms=onset, offset_ms=offset, modifiers=modifiers)


@settings(max_examples=500)
@given(st.lists(events(), max_size=12), st.none() | st.integers(0, 70_000), st.booleans())
def test_fit_exactly_when_event_problems_finds_nothing(
        coding: list[Event], duration_ms: int | None, complete: bool) -> None:
    expected = not event_problems(coding, SCHEME, duration_ms=duration_ms, complete=complete)
    assert events_fit(coding, SCHEME, duration_ms=duration_ms, complete=complete) is expected


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["near", "far", "absent", "hold", "distress"]),
                          st.integers(0, 50), st.integers(0, 20)), max_size=8))
def test_overlaps_are_found_as_event_problems_finds_them(spans: list[tuple[str, int, int]]) -> None:
    """States of one lane with shared, touching and nested times: the case the memo skips."""
    coding = [Event(subject="child" if code == "distress" else "caregiver", code=code,
                    onset_ms=start, offset_ms=start + length) for code, start, length in spans]
    assert events_fit(coding, SCHEME, complete=True) is (
        not event_problems(coding, SCHEME, complete=True))


def test_a_valid_coding_fits_and_one_bad_event_among_many_does_not() -> None:
    scheme = load_builtin_scheme("withdrawal-open")
    coding = vignette_events()
    assert events_fit(coding, scheme, duration_ms=VIGNETTE_DURATION_MS, complete=True)
    last = max(i for i, e in enumerate(coding) if e.subject == "caregiver")
    wrong = coding[last].model_copy(update={"subject": "child"})  # its code is caregiver's
    assert not events_fit([*coding[:last], wrong, *coding[last + 1:]], scheme, complete=True)
    assert event_problems([wrong], scheme, complete=True)
