"""The timeline: typed point/state tables, segments, clipping, presence, and the checks."""

from __future__ import annotations

import pandas as pd
import pytest

from samspill.core.errors import EventError, InputError
from samspill.core.events import Event, events_frame, segments_frame
from samspill.core.timeline import build_timeline, build_timelines
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from tests.core.indicators.helpers import SCHEME, bid, cg, ev, seg


def _timeline(events: list[Event], segments=(), duration_s: float = 120):  # type: ignore[no-untyped-def]
    return build_timeline(events_frame(events, SCHEME), segments_frame(list(segments)),
                          scheme=SCHEME, duration_ms=round(duration_s * 1000))


def test_vignette_presence_is_session_time_minus_absence() -> None:
    tl = build_timeline(events_frame(vignette_events(), SCHEME),
                        segments_frame(vignette_segments()), scheme=SCHEME,
                        duration_ms=VIGNETTE_DURATION_MS)
    assert tl.sessions[["duration_ms", "absent_ms", "present_ms"]].iloc[0].tolist() == [
        360_000, 60_000, 300_000]
    assert tl.segments["present_ms"].tolist() == [120_000, 0, 180_000]
    assert len(tl.points) == 14 and len(tl.states) == 7


def test_points_and_states_are_typed_and_carry_their_segment() -> None:
    tl = _timeline([bid(10), bid(60), cg("hold", 40, 80)],
                   [seg("a", 0, 60), seg("b", 60, 120)])
    assert tl.points["segment"].tolist() == [0, 1]  # the onset at 60 s opens segment b
    assert tl.points["time_ms"].dtype == "int64"
    hold = tl.states.iloc[0]
    assert (hold["segment"], hold["duration_ms"]) == (0, 40_000)


def test_a_state_across_segments_is_clipped_into_pieces() -> None:
    tl = _timeline([cg("far", 30, 100)], [seg("a", 0, 60), seg("b", 60, 90), seg("c", 90, 120)])
    pieces = tl.intervals[["segment", "onset_ms", "offset_ms", "duration_ms"]]
    assert pieces.values.tolist() == [[0, 30_000, 60_000, 30_000], [1, 60_000, 90_000, 30_000],
                                      [2, 90_000, 100_000, 10_000]]


def test_time_outside_every_segment_has_segment_minus_one() -> None:
    tl = _timeline([bid(5), cg("far", 0, 30)], [seg("a", 10, 20)])
    assert tl.points["segment"].tolist() == [-1]
    assert tl.intervals["duration_ms"].tolist() == [10_000]


def test_an_unclosed_state_is_refused_with_its_event() -> None:
    with pytest.raises(EventError, match="has no offset") as info:
        _timeline([cg("hold", 10)])
    assert "give the state an end time" in str(info.value)


def test_overlap_in_the_proximity_group_is_refused() -> None:
    with pytest.raises(EventError, match="still runs"):
        _timeline([cg("far", 0, 60), cg("near", 50, 100)])


@pytest.mark.parametrize(("event", "message"), [
    (ev("child", "giggle", 3), "unknown code 'giggle'"),
    (ev("child", "respond", 3), "does not apply to subject"),
    (cg("far", 100, 130), "beyond the media's duration"),
])
def test_bad_events_are_refused_with_the_fix(event: Event, message: str) -> None:
    with pytest.raises(EventError, match=message):
        _timeline([event])


def test_overlapping_segments_are_refused() -> None:
    with pytest.raises(InputError, match="overlaps"):
        _timeline([], [seg("a", 0, 60), seg("b", 50, 120)])


def test_a_missing_column_names_the_column() -> None:
    frame = events_frame([bid(1)], SCHEME).drop(columns=["modifiers"])
    with pytest.raises(InputError, match="modifiers"):
        build_timeline(frame, segments_frame([]), scheme=SCHEME, duration_ms=10_000)


def test_a_coding_without_a_duration_is_refused() -> None:
    frame = events_frame([bid(1)], SCHEME).assign(coding="x")
    with pytest.raises(InputError, match="has no duration"):
        build_timelines(frame, segments_frame([]).assign(coding="x"), scheme=SCHEME,
                        durations={"y": 10_000})


def test_many_codings_at_once_equal_each_alone() -> None:
    a = [bid(10), cg("respond", 12), cg("far", 0, 50)]
    b = [cg("absent", 0, 30), bid(40), cg("near", 30, 90)]
    frames = [events_frame(x, SCHEME).assign(coding=name) for name, x in (("a", a), ("b", b))]
    segs = segments_frame([seg("s", 0, 60)])
    both = build_timelines(pd.concat(frames, ignore_index=True),
                           pd.concat([segs.assign(coding="a"), segs.assign(coding="b")]),
                           scheme=SCHEME, durations={"a": 90_000, "b": 90_000})
    alone = _timeline(b, [seg("s", 0, 60)], duration_s=90)
    got = both.states[both.states["coding"] == 1].reset_index(drop=True)
    # segment numbers are rows of the batch's segment table: coding b's segment is row 1
    assert got["segment"].tolist() == [1, 1] and alone.states["segment"].tolist() == [0, 0]
    # `row` indexes each call's own input table
    pd.testing.assert_frame_equal(got.drop(columns=["coding", "segment", "row"]),
                                  alone.states.drop(columns=["coding", "segment", "row"]),
                                  check_categorical=False)
    # With segments, the observed period is the segments' span (0-60 s), not the recording.
    assert both.sessions["present_ms"].tolist() == [60_000, 30_000]


def test_leave_and_return_mark_an_absence_like_an_absent_state() -> None:
    tl = _timeline([cg("leave", 30), cg("return", 50), bid(40)])
    assert tl.sessions["absent_ms"].tolist() == [20_000]
    # A leave whose return was not coded ends when she is next coded doing something.
    tl = _timeline([cg("leave", 30), cg("respond", 70)])
    assert tl.sessions["absent_ms"].tolist() == [40_000]
    # ... or at the end of the recording; an absent state and a leave span join.
    tl = _timeline([cg("leave", 100), cg("absent", 90, 110)])
    assert tl.sessions["absent_ms"].tolist() == [30_000]


def test_the_observed_period_runs_from_the_first_segment_to_the_last() -> None:
    tl = _timeline([], [seg("a", 10, 40), seg("b", 50, 100)])
    row = tl.sessions.iloc[0]
    assert (row["period_start_ms"], row["period_end_ms"], row["observed_ms"]) == (
        10_000, 100_000, 90_000)


def test_categorical_subject_and_code_columns_give_the_same_timeline() -> None:
    frame = events_frame(vignette_events(), SCHEME)
    plain = build_timeline(frame, segments_frame([]), scheme=SCHEME,
                           duration_ms=VIGNETTE_DURATION_MS)
    typed = build_timeline(frame.astype({"subject": "category", "code": "category"}),
                           segments_frame([]), scheme=SCHEME, duration_ms=VIGNETTE_DURATION_MS)
    for table in ("points", "states"):
        a, b = getattr(plain, table), getattr(typed, table)
        assert a["code"].astype(str).tolist() == b["code"].astype(str).tolist()
        assert a["subject"].astype(str).tolist() == b["subject"].astype(str).tolist()


def test_a_return_with_no_absence_coded_means_she_was_out_before_it() -> None:
    # Nothing of hers coded before the return at 50 s: out since the start.
    assert _timeline([cg("return", 50), bid(20)]).sessions["absent_ms"].tolist() == [50_000]
    # Last seen responding at 10 s: out from then.
    tl = _timeline([cg("respond", 10), cg("return", 50)])
    assert tl.sessions["absent_ms"].tolist() == [40_000]
    # A return just after a coded absence closes it and adds nothing.
    tl = _timeline([cg("respond", 10), cg("absent", 20, 48), cg("return", 50)])
    assert tl.sessions["absent_ms"].tolist() == [28_000]


def test_a_separation_segment_is_time_away_whatever_is_coded() -> None:
    tl = _timeline([bid(70)], [seg("play", 0, 60), seg("alone", 60, 90, "separation"),
                               seg("back", 90, 120, "reunion")])
    assert tl.segments["present_ms"].tolist() == [60_000, 0, 30_000]
