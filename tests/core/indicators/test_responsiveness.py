"""Responsiveness: latency to the first answer within W2, unanswered and muted shares."""

from __future__ import annotations

import math
import statistics

import numpy as np

from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from tests.core.indicators.helpers import SCHEME, bid, cg, evidence, score, session


def test_no_bids_gives_nan_values_zero_counts_and_no_flag() -> None:
    row = session(score([cg("respond", 5)]))
    assert math.isnan(row["response_latency_median_ms"]) and math.isnan(row["unanswered_share"])
    assert math.isnan(row["muted_share"])
    assert row["bids"] == 0 and not row["responsiveness_flag"]


def test_hand_computed_latencies_shares_and_flag() -> None:
    events = [bid(10), cg("respond", 12, intensity="muted"), bid(20), cg("respond", 25),
              bid(40)]
    row = session(score(events))
    # latencies 2 s and 5 s; the bid at 40 s is unanswered.
    assert row["response_latency_median_ms"] == 3_500
    assert row["unanswered_share"] == 1 / 3 and row["muted_share"] == 0.5
    assert (row["bids"], row["bids_answered"], row["answers_muted"]) == (3, 2, 1)
    assert row["responsiveness_flag"]  # median 3.5 s > 3 s


def test_initiate_and_the_start_of_a_hold_answer_but_a_redirect_does_not() -> None:
    events = [bid(10), cg("initiate", 11), bid(30), cg("hold", 32, 50), bid(60),
              cg("redirect", 61)]
    row = session(score(events))
    assert row["bids_answered"] == 2 and row["response_latency_median_ms"] == 1_500


def test_an_answer_before_the_bid_or_after_w2_does_not_count() -> None:
    events = [cg("respond", 9), bid(10), cg("respond", 20.001)]
    assert session(score(events))["bids_answered"] == 0
    assert session(score([bid(10), cg("respond", 20)]))["bids_answered"] == 1


def test_bids_while_the_caregiver_is_absent_are_not_scored() -> None:
    events = [cg("absent", 0, 30), bid(10), cg("near", 30, 60), bid(40), cg("respond", 41)]
    row = session(score(events, duration_s=60))
    assert row["bids"] == 1 and row["unanswered_share"] == 0


def test_evidence_holds_every_bid_with_its_answer_time() -> None:
    events = [bid(10), cg("respond", 12), bid(40)]
    table = evidence(score(events), "responsiveness")
    assert table["time_ms"].tolist() == [10_000, 40_000]
    assert table["related_time_ms"].iloc[0] == 12_000 and math.isnan(table["value_ms"].iloc[1])


def _brute_force_latencies(table, window_ms: int) -> list[float]:  # type: ignore[no-untyped-def]
    """A plain loop: for each present bid, the first answer in [bid, bid + window]."""
    answers = sorted(int(r.onset_ms) for r in table.itertuples()
                     if r.subject == "caregiver" and r.code in ("respond", "initiate", "hold"))
    absent = [(int(r.onset_ms), int(r.offset_ms)) for r in table.itertuples()
              if r.code == "absent"]
    out = []
    for r in table.itertuples():
        if r.code != "bid" or any(a <= r.onset_ms < b for a, b in absent):
            continue
        later = [a - r.onset_ms for a in answers if 0 <= a - r.onset_ms <= window_ms]
        out.append(float(min(later)) if later else math.nan)
    return out


def test_median_and_unanswered_share_match_a_brute_force_loop_on_simulated_sessions() -> None:
    # Independent implementation: the per-bid loop above (brute force).
    for seed, style in [(1, "withdrawn"), (2, "sensitive"), (3, "frightened")]:
        sim = simulate_session(style, seed=seed, procedure="ssp")
        scores = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                              duration_ms=sim.duration_ms)
        lat = _brute_force_latencies(sim.table, 10_000)
        answered = [x for x in lat if not math.isnan(x)]
        row = session(scores)
        assert row["response_latency_median_ms"] == statistics.median(answered)
        assert abs(row["unanswered_share"] - float(np.mean(np.isnan(lat)))) < 1e-12
