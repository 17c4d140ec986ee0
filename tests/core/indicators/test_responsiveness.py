"""Responsiveness: latency to the first answer, unanswered and muted shares, and what is left
out (bids while the child is held, while the caregiver is away, and cut-off windows)."""

from __future__ import annotations

import math
import statistics

import numpy as np

from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from tests.core.indicators.helpers import SCHEME, bid, cg, evidence, score, session


def test_no_bids_is_not_observable() -> None:
    row = session(score([cg("respond", 5), cg("near", 0, 600)]))
    assert math.isnan(row["response_latency_median_ms"]) and math.isnan(row["unanswered_share"])
    assert row["bids"] == 0 and not row["responsiveness_flag"]
    assert (row["responsiveness_state"], row["responsiveness_reason"]) == (
        "not_observable", "too_few_bids")


def test_hand_computed_latencies_shares_and_state() -> None:
    events = [bid(10), cg("respond", 12, intensity="muted"), bid(20), cg("respond", 26),
              bid(40)]
    row = session(score(events))
    # latencies 2 s and 6 s; the bid at 40 s is unanswered.
    assert row["response_latency_median_ms"] == 4_000
    assert row["unanswered_share"] == 1 / 3 and row["muted_share"] == 0.5
    assert (row["bids"], row["bids_answered"], row["answers"], row["answers_muted"]) == (
        3, 2, 2, 1)
    assert row["responsiveness_state"] == "present"
    assert row["responsiveness_reason"] == "muted_share"  # 4 s is not above 4 s; 50 % muted
    late = session(score(events, latency_flag_above_ms=3_000))
    assert late["responsiveness_reason"] == "median_latency,muted_share"


def test_initiate_and_the_start_of_a_hold_answer_but_a_redirect_does_not() -> None:
    events = [bid(10), cg("initiate", 11), bid(30), cg("hold", 32, 50), bid(60),
              cg("redirect", 61)]
    row = session(score(events))
    assert row["bids_answered"] == 2 and row["response_latency_median_ms"] == 1_500


def test_an_answer_coded_just_before_its_bid_counts_with_latency_zero() -> None:
    # Coders' timing differs by a second or two: 0.2 s early is the same moment.
    row = session(score([cg("respond", 9.8), bid(10)]))
    assert row["bids_answered"] == 1 and row["response_latency_median_ms"] == 0
    # Earlier than the tolerance (3 s), or later than W2 (10 s), is no answer.
    assert session(score([cg("respond", 6.9), bid(10)]))["bids_answered"] == 0
    assert session(score([cg("respond", 7.1), bid(10)]))["bids_answered"] == 1
    assert session(score([bid(10), cg("respond", 20.001)]))["bids_answered"] == 0
    assert session(score([bid(10), cg("respond", 20)]))["bids_answered"] == 1
    assert session(score([cg("respond", 9), bid(10)], timing_tolerance_ms=0))["bids_answered"] == 0


def test_an_answer_between_two_bids_belongs_to_the_first() -> None:
    # The child bids again just after the caregiver answered the first bid: the second bid
    # still waits for its own answer.
    row = session(score([bid(10), cg("respond", 14.5), bid(15), bid(40), bid(70)]))
    assert (row["bids_answered"], row["bids_unanswered"]) == (1, 3)


def test_muted_share_counts_answers_not_bids() -> None:
    # One faint nod answers three bids; one full answer answers one: 1 of 2 answers muted.
    events = [bid(10), bid(11), bid(12), cg("respond", 13, intensity="muted"),
              bid(30), cg("respond", 31, intensity="full")]
    row = session(score(events))
    assert (row["answers"], row["answers_muted"], row["muted_share"]) == (2, 1, 0.5)
    assert row["bids_answered"] == 4


def test_mostly_muted_answers_make_the_sign_present() -> None:
    events = [e for t in (10, 40, 70, 100) for e in (
        bid(t), cg("respond", t + 1, intensity="muted"))]
    row = session(score(events))
    assert row["unanswered_share"] == 0 and row["response_latency_median_ms"] == 1_000
    assert (row["responsiveness_state"], row["responsiveness_reason"]) == (
        "present", "muted_share")


def test_bids_while_the_caregiver_is_absent_are_not_scored() -> None:
    events = [cg("absent", 0, 30), bid(10), cg("near", 30, 60), bid(40), cg("respond", 41)]
    row = session(score(events, duration_s=60))
    assert row["bids"] == 1 and row["unanswered_share"] == 0


def test_leave_and_return_mark_the_caregiver_out_of_the_room() -> None:
    events = [cg("leave", 100, prepared="no"), cg("return", 160)] + [
        bid(t, "call") for t in (110, 120, 130)]
    row = session(score(events))
    assert row["bids"] == 0 and row["present_ms"] == 540_000
    assert row["responsiveness_state"] == "not_observable"


def test_a_leave_without_a_return_ends_at_the_next_thing_she_does() -> None:
    # The return was not coded; the respond at 160 s shows she is back.
    events = [cg("leave", 100), cg("respond", 160), bid(130), bid(170)]
    row = session(score(events))
    assert row["present_ms"] == 540_000 and row["bids"] == 1


def test_bids_while_the_child_is_held_are_not_waiting_for_an_answer() -> None:
    events = [cg("hold", 10, 60), bid(20), bid(30, "show"), bid(70), cg("respond", 71),
              bid(90), cg("respond", 91)]
    row = session(score(events))
    assert (row["bids"], row["bids_in_contact"], row["bids_unanswered"]) == (2, 2, 0)
    notes = evidence(score(events), "responsiveness")["note"].tolist()
    assert notes.count("bid: child held (not scored)") == 2


def test_a_window_cut_by_the_end_of_the_recording_is_not_counted() -> None:
    events = [bid(10), cg("respond", 11), bid(20), cg("respond", 21), bid(30),
              cg("respond", 31), bid(595)]
    row = session(score(events))
    assert (row["bids"], row["bids_unanswered"], row["bids_censored"]) == (3, 0, 1)
    # An answer inside the cut window still counts.
    row = session(score([*events, cg("respond", 598)]))
    assert (row["bids"], row["bids_answered"], row["bids_censored"]) == (4, 4, 0)


def test_a_window_cut_by_the_caregiver_leaving_is_not_counted() -> None:
    events = [bid(10), cg("respond", 11), bid(20), cg("respond", 21), bid(30),
              cg("respond", 31), bid(100), cg("leave", 103), cg("return", 200)]
    row = session(score(events))
    assert (row["bids"], row["bids_censored"], row["unanswered_share"]) == (3, 1, 0)


def test_bids_after_the_last_segment_are_outside_the_observation() -> None:
    from tests.core.indicators.helpers import seg
    events = [bid(10), cg("respond", 11), bid(20), cg("respond", 21), bid(30),
              cg("respond", 31), bid(500), bid(520), bid(540)]
    row = session(score(events, segments=[seg("procedure", 0, 400)]))
    assert (row["bids"], row["unanswered_share"]) == (3, 0)
    notes = evidence(score(events, segments=[seg("procedure", 0, 400)]),
                     "responsiveness")["note"].tolist()
    assert notes.count("bid: outside the observed period (not counted)") == 3


def test_fewer_bids_than_the_minimum_is_not_observable() -> None:
    events = [bid(10), bid(40)]
    assert session(score(events))["responsiveness_reason"] == "too_few_bids"
    row = session(score(events, responsiveness_min_bids=2))
    assert row["responsiveness_state"] == "present" and row["unanswered_share"] == 1


def test_evidence_holds_every_bid_with_its_answer_time() -> None:
    events = [bid(10), cg("respond", 12), bid(40)]
    table = evidence(score(events), "responsiveness")
    assert table["time_ms"].tolist() == [10_000, 40_000]
    assert table["related_time_ms"].iloc[0] == 12_000 and math.isnan(table["value_ms"].iloc[1])


def _brute_force_latencies(table, duration_ms: int, window_ms: int = 10_000,  # type: ignore[no-untyped-def]
                           tolerance_ms: int = 3_000) -> list[float]:
    """A plain loop over the bids, written from the definition (independent implementation).

    A bid counts when the caregiver is in the room and the child is not held by a hold begun
    before it; its answer is the first respond/initiate/hold onset in [bid - tolerance, bid +
    window], clipped at the start of an absence and at the end of the recording, and never the
    answer of the bid before when that came before this bid; latency below 0 counts as 0; no
    answer in a clipped window leaves the bid out (NaN marks unanswered).
    """
    rows = list(table.itertuples())
    answers = sorted(int(r.onset_ms) for r in rows
                     if r.subject == "caregiver" and r.code in ("respond", "initiate", "hold"))
    absent = [(int(r.onset_ms), int(r.offset_ms)) for r in rows if r.code == "absent"]
    holds = [(int(r.onset_ms), int(r.offset_ms)) for r in rows if r.code == "hold"]
    out = []
    bids = sorted(int(r.onset_ms) for r in rows if r.code == "bid")
    bids = [t for t in bids if not any(a <= t < b for a, b in absent)]
    previous = None  # the answer of the last bid at an earlier instant, when it has one
    answer_at: dict[int, int | None] = {}
    for t in bids:
        earlier = [u for u in answer_at if u < t]
        previous = answer_at[max(earlier)] if earlier else None
        end = min([t + window_ms, duration_ms] + [a for a, _ in absent if a > t])
        start = t - tolerance_ms
        if previous is not None and previous < t:
            start = min(max(start, previous + 1), t)
        found = [a for a in answers if start <= a <= end]
        answer_at.setdefault(t, min(found) if found else None)
        if any(a < t < b for a, b in holds):
            continue
        if found:
            out.append(float(max(0, min(found) - t)))
        elif end == t + window_ms:
            out.append(math.nan)
    return out


def test_median_and_unanswered_share_match_a_brute_force_loop_on_simulated_sessions() -> None:
    for seed, style in [(1, "withdrawn"), (2, "sensitive"), (3, "frightened")]:
        sim = simulate_session(style, seed=seed, procedure="ssp")
        scores = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                              duration_ms=sim.duration_ms)
        lat = _brute_force_latencies(sim.table, sim.duration_ms)
        answered = [x for x in lat if not math.isnan(x)]
        row = session(scores)
        assert row["bids"] == len(lat)
        assert row["response_latency_median_ms"] == statistics.median(answered)
        assert abs(row["unanswered_share"] - float(np.mean(np.isnan(lat)))) < 1e-12
