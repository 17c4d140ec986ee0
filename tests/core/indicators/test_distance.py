"""Distance: the share of time present that the caregiver is far."""

from __future__ import annotations

import math

from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from tests.core.indicators.helpers import SCHEME, cg, score, seg, segment_row, session


def test_no_proximity_coded_gives_nan_and_no_flag() -> None:
    row = session(score([cg("respond", 3)]))
    assert math.isnan(row["far_share"]) and not row["distance_flag"]
    assert row["proximity_coded_ms"] == 0


def test_absent_time_is_left_out_of_the_denominator() -> None:
    events = [cg("far", 0, 60), cg("near", 60, 100), cg("absent", 100, 120)]
    row = session(score(events, duration_s=120))
    assert row["present_ms"] == 100_000 and row["far_ms"] == 60_000
    assert row["far_share"] == 0.6 and row["distance_flag"]  # flag at >= 60 %


def test_states_are_clipped_to_segments() -> None:
    events = [cg("far", 0, 60), cg("near", 60, 100), cg("absent", 100, 120)]
    scores = score(events, duration_s=120, segments=[seg("a", 0, 50), seg("b", 50, 120)])
    assert segment_row(scores, "a")["far_share"] == 1.0
    b = segment_row(scores, "b")
    assert b["far_ms"] == 10_000 and b["present_ms"] == 50_000 and b["far_share"] == 0.2


def test_a_segment_without_the_caregiver_gives_nan() -> None:
    events = [cg("far", 0, 60), cg("absent", 60, 120)]
    scores = score(events, duration_s=120, segments=[seg("a", 0, 60), seg("b", 60, 120)])
    assert math.isnan(segment_row(scores, "b")["far_share"])
    assert not segment_row(scores, "b")["distance_flag"]


def test_far_share_per_episode_matches_a_loop_over_the_states() -> None:
    # Independent implementation (brute force): overlap of each far/absent state with each
    # Strange Situation episode, summed in plain Python.
    sim = simulate_session("frightened", seed=21, procedure="ssp")
    scores = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                          duration_ms=sim.duration_ms)
    states = [(r.code, r.onset_ms, int(r.offset_ms)) for r in sim.table.itertuples()
              if r.code in ("far", "near", "absent")]
    for segment in sim.segments:
        def overlap(code: str, a: int = segment.start_ms, b: int = segment.end_ms) -> int:
            return sum(max(0, min(b, off) - max(a, on)) for c, on, off in states if c == code)
        present = segment.end_ms - segment.start_ms - overlap("absent")
        row = segment_row(scores, segment.name)
        if present == 0:
            assert math.isnan(row["far_share"])
        else:
            assert abs(row["far_share"] - overlap("far") / present) < 1e-12
