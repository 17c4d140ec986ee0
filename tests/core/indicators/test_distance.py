"""Distance: the share of the time with proximity coded that the caregiver is far."""

from __future__ import annotations

import math

from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from tests.core.indicators.helpers import SCHEME, cg, score, seg, segment_row, session


def test_no_proximity_coded_is_not_observable() -> None:
    row = session(score([cg("respond", 3)]))
    assert math.isnan(row["far_share"]) and row["proximity_coded_ms"] == 0
    assert (row["distance_state"], row["distance_reason"]) == (
        "not_observable", "proximity_not_coded")


def test_absent_time_is_left_out() -> None:
    events = [cg("far", 0, 60), cg("near", 60, 100), cg("absent", 100, 120)]
    row = session(score(events, duration_s=120))
    assert row["present_ms"] == 100_000 and row["far_ms"] == 60_000
    assert row["far_share"] == 0.6 and row["distance_state"] == "present"  # at >= 60 %


def test_uncoded_time_is_not_read_as_near() -> None:
    # Far for the first half, nothing coded after: half the time present is unknown.
    row = session(score([cg("far", 0, 300)]))
    assert row["far_share"] == 1.0 and row["proximity_coverage"] == 0.5
    assert (row["distance_state"], row["distance_reason"]) == (
        "not_observable", "proximity_coverage_low")
    assert session(score([cg("far", 0, 300)], proximity_coverage_min=0.5))[
        "distance_state"] == "present"


def test_holding_the_child_counts_as_near() -> None:
    row = session(score([cg("far", 0, 400), cg("hold", 400, 600)]))
    assert row["proximity_coded_ms"] == 600_000 and row["far_share"] == 400 / 600
    # Far coded while holding (a coding slip) is near.
    row = session(score([cg("far", 0, 600), cg("hold", 300, 600)]))
    assert row["far_ms"] == 300_000


def test_states_are_clipped_to_segments() -> None:
    events = [cg("far", 0, 60), cg("near", 60, 100), cg("absent", 100, 120)]
    scores = score(events, duration_s=120, segments=[seg("a", 0, 50), seg("b", 50, 120)],
                   min_present_ms=0)
    assert segment_row(scores, "a")["far_share"] == 1.0
    b = segment_row(scores, "b")
    assert b["far_ms"] == 10_000 and b["present_ms"] == 50_000 and b["far_share"] == 0.2


def test_a_segment_without_the_caregiver_is_not_observable() -> None:
    events = [cg("far", 0, 60), cg("absent", 60, 120)]
    scores = score(events, duration_s=120, segments=[seg("a", 0, 60), seg("b", 60, 120)])
    b = segment_row(scores, "b")
    assert math.isnan(b["far_share"])
    assert (b["distance_state"], b["distance_reason"]) == ("not_observable", "caregiver_absent")


def test_a_scope_with_the_caregiver_barely_present_is_too_short() -> None:
    events = [cg("far", 0, 60), cg("absent", 60, 119.5), cg("far", 119.5, 120)]
    scores = score(events, duration_s=120, segments=[seg("a", 0, 60), seg("b", 60, 120)])
    assert segment_row(scores, "b")["distance_reason"] == "too_short"


def test_far_share_per_episode_matches_a_loop_over_the_states() -> None:
    # Independent implementation (brute force): overlap of each far/near/absent state with
    # each Strange Situation episode, summed in plain Python (the simulator codes proximity
    # throughout and holds only while near).
    sim = simulate_session("frightened", seed=21, procedure="ssp")
    scores = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                          duration_ms=sim.duration_ms)
    states = [(r.code, r.onset_ms, int(r.offset_ms)) for r in sim.table.itertuples()
              if r.code in ("far", "near", "absent")]
    for segment in sim.segments:
        def overlap(code: str, a: int = segment.start_ms, b: int = segment.end_ms) -> int:
            return sum(max(0, min(b, off) - max(a, on)) for c, on, off in states if c == code)
        coded = overlap("far") + overlap("near")
        row = segment_row(scores, segment.name)
        if coded == 0:
            assert math.isnan(row["far_share"])
        else:
            assert abs(row["far_share"] - overlap("far") / coded) < 1e-12


def test_bounds_decide_the_sign_when_uncoded_time_cannot_change_it() -> None:
    # Far 4 x 100 s of 600 s, the rest uncoded: at least 67 % far whatever the rest was.
    far = session(score([cg("far", t, t + 100) for t in (0, 150, 300, 450)]))
    assert far["far_share_min"] == 400 / 600 and far["distance_state"] == "present"
    # Near 0-420 s: at most 30 % far.
    near = session(score([cg("near", 0, 420)]))
    assert near["far_share_max"] == 0.3 and near["distance_state"] == "absent"
