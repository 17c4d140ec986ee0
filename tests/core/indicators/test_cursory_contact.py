"""Cursory contact: brief holds, put-downs despite protest, and no contact at all."""

from __future__ import annotations

import math
import statistics

from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from tests.core.indicators.helpers import SCHEME, bid, cg, ev, evidence, score, session


def test_no_hold_and_few_bids_is_not_observable() -> None:
    row = session(score([bid(5, "protest-put-down")]))
    assert math.isnan(row["hold_median_ms"])
    assert (row["hold_bouts"], row["putdowns_despite_protest"]) == (0, 0)
    assert (row["cursory_contact_state"], row["cursory_contact_reason"]) == (
        "not_observable", "no_hold")


def test_median_of_bouts_and_absent_when_long_and_unprotested() -> None:
    row = session(score([cg("hold", 10, 15), cg("hold", 20, 50), cg("hold", 60, 80)]))
    assert row["hold_median_ms"] == 20_000 and row["hold_bouts"] == 3
    assert row["cursory_contact_state"] == "absent"


def test_an_even_number_of_bouts_averages_the_middle_two() -> None:
    row = session(score([cg("hold", 10, 15), cg("hold", 20, 50)]))
    assert row["hold_median_ms"] == 17_500 and row["cursory_contact_state"] == "absent"


def test_brief_holds_the_child_ends_itself_are_no_sign() -> None:
    # The child calms, gets down and plays: short holds with no sign of need at the end.
    row = session(score([cg("hold", 10, 18), cg("hold", 30, 40), cg("hold", 60, 66)]))
    assert row["hold_median_ms"] == 8_000 and row["putdowns_despite_need"] == 0
    assert row["cursory_contact_state"] == "absent"


def test_brief_holds_put_down_while_upset_are_the_sign_when_the_study_asks() -> None:
    # Put down at 18 s and 40 s while still distressed: two put-downs despite need, 8 and 10 s.
    events = [ev("child", "distress", 5, 25), cg("hold", 10, 18),
              ev("child", "distress", 28, 50), cg("hold", 30, 40), cg("hold", 60, 100),
              cg("hold", 120, 160), cg("hold", 200, 240)]
    row = session(score(events))
    assert (row["putdowns_despite_need"], row["putdown_median_ms"]) == (2, 9_000)
    assert row["putdown_share"] == 0.4  # 2 of 5: below half
    # Brevity alone is off by default (the codes do not say who ended a hold); a study that
    # turns it on sees the sign.
    assert row["cursory_contact_state"] == "absent"
    row = session(score(events, hold_median_flag_below_ms=15_000))
    assert (row["cursory_contact_state"], row["cursory_contact_reason"]) == (
        "present", "median_hold")
    # One such put-down is no pattern for the median.
    one = session(score(events[2:], hold_median_flag_below_ms=15_000))
    assert one["putdowns_despite_need"] == 1 and one["cursory_contact_state"] == "absent"


def test_a_bid_for_contact_right_after_the_put_down_shows_the_need() -> None:
    one = session(score([cg("hold", 10, 18), bid(20, "climb-or-lift-arms")]))
    assert one["putdowns_despite_need"] == 1 and one["putdowns_despite_protest"] == 0
    # One inferred put-down is no pattern; a coded protest would be enough on its own.
    assert one["cursory_contact_state"] == "absent"
    two = session(score([cg("hold", 10, 18), bid(20, "climb-or-lift-arms"),
                         cg("hold", 60, 66), bid(68, "reach")]))
    assert (two["cursory_contact_state"], two["cursory_contact_reason"]) == (
        "present", "putdown_share")


def test_a_child_who_calmed_before_the_put_down_is_not_put_down_despite_need() -> None:
    events = [ev("child", "distress", 10, 40), cg("hold", 12, 42), bid(100), cg("respond", 101)]
    row = session(score(events))
    assert row["putdowns_despite_need"] == 0 and row["cursory_contact_state"] == "absent"
    upset = session(score([ev("child", "distress", 10, 50), cg("hold", 12, 42)]))
    assert upset["putdowns_despite_need"] == 1


def test_touching_holds_are_one_bout() -> None:
    pieces = [cg("hold", 10, 20), cg("hold", 20, 30), bid(30.5, "protest-put-down"),
              cg("hold", 100, 200)]
    whole = [cg("hold", 10, 30), bid(30.5, "protest-put-down"), cg("hold", 100, 200)]
    a, b = session(score(pieces)), session(score(whole))
    assert (a["holds_completed"], a["putdown_share"]) == (2, 0.5)
    assert a["cursory_contact_state"] == b["cursory_contact_state"] == "present"


def test_a_protest_near_the_end_is_a_putdown_despite_protest() -> None:
    events = [cg("hold", 10, 40), bid(38, "protest-put-down"),     # 2 s before: counts
              cg("hold", 60, 90), bid(95.5, "protest-put-down"),    # 5.5 s after: not
              cg("hold", 120, 150), bid(151, "protest-put-down")]  # 1 s after: counts
    row = session(score(events))
    assert row["putdowns_despite_protest"] == 2 and row["putdown_share"] == 2 / 3
    assert row["putdowns_despite_need"] == 2
    assert (row["cursory_contact_state"], row["cursory_contact_reason"]) == (
        "present", "putdown_share")
    notes = evidence(score(events), "cursory_contact")["note"].tolist()
    assert notes.count("hold bout: put down despite protest") == 2


def test_one_protested_putdown_among_many_holds_is_not_the_sign() -> None:
    # A fussy child protests now and then; one put-down of four is a quarter, below half.
    events = [cg("hold", 10, 40), bid(39, "protest-put-down"), cg("hold", 60, 100),
              cg("hold", 120, 160), cg("hold", 200, 240)]
    row = session(score(events))
    assert row["putdown_share"] == 0.25 and row["cursory_contact_state"] == "absent"


def test_a_protest_answered_by_picking_the_child_up_again_is_no_putdown() -> None:
    events = [cg("hold", 10, 40), bid(40.5, "protest-put-down"), cg("hold", 43, 90)]
    row = session(score(events))
    assert row["putdowns_despite_protest"] == 0 and row["cursory_contact_state"] == "absent"
    notes = evidence(score(events), "cursory_contact")["note"].tolist()
    assert "hold bout: the child's protest was answered" in notes


def test_a_put_down_followed_by_comfort_is_no_put_down_despite_need() -> None:
    events = [ev("child", "distress", 5, 30), cg("hold", 10, 18),
              cg("respond", 20, intensity="full"), cg("hold", 60, 100)]
    assert session(score(events))["putdowns_despite_need"] == 0
    faint = [*events[:2], cg("respond", 20, intensity="muted"), events[3]]
    assert session(score(faint))["putdowns_despite_need"] == 1


def test_other_bid_kinds_are_not_protests() -> None:
    row = session(score([cg("hold", 10, 40), bid(39, "reach")]))
    assert row["putdowns_despite_protest"] == 0


def test_the_protest_window_is_a_setting() -> None:
    events = [cg("hold", 10, 40), bid(34, "protest-put-down")]
    assert session(score(events))["putdowns_despite_protest"] == 0
    assert session(score(events, protest_window_ms=6_000))["putdowns_despite_protest"] == 1


def test_a_hold_cut_by_the_end_of_the_recording_is_not_short() -> None:
    row = session(score([cg("hold", 590, 600), bid(599, "protest-put-down")]))
    assert (row["holds_cut"], row["hold_bouts"], row["putdowns_despite_protest"]) == (1, 0, 0)
    assert (row["cursory_contact_state"], row["cursory_contact_reason"]) == (
        "not_observable", "window_cut")
    # Already long when the recording ends: it counts as a long bout.
    long = session(score([cg("hold", 100, 130), cg("hold", 560, 600)]))
    assert long["hold_bouts"] == 2 and long["hold_median_ms"] == 35_000


def test_a_hold_ended_by_the_caregiver_leaving_is_not_a_putdown() -> None:
    # In the Strange Situation the parent is told to put the child down and leave.
    events = [cg("hold", 100, 118), bid(117, "protest-put-down"), cg("leave", 120),
              cg("return", 300), cg("hold", 320, 360)]
    row = session(score(events))
    assert (row["holds_cut"], row["putdowns_despite_protest"]) == (1, 0)
    assert row["cursory_contact_state"] == "absent"


def test_no_contact_despite_bids_for_it_is_the_strongest_form() -> None:
    events = [bid(30 + 60 * i, "climb-or-lift-arms") for i in range(9)]
    row = session(score(events))
    assert (row["proximity_bids"], row["contacts"]) == (9, 0)
    assert (row["cursory_contact_state"], row["cursory_contact_reason"]) == (
        "present", "no_contact")


def test_a_touch_or_an_initiative_is_contact_but_a_word_is_not() -> None:
    bids = [bid(30 + 60 * i, "reach") for i in range(5)]
    words = session(score([*bids, cg("respond", 31, channel="verbal")]))
    assert words["cursory_contact_reason"] == "no_contact"
    touch = session(score([*bids, cg("respond", 31, channel="physical")]))
    assert touch["contacts"] == 1 and touch["cursory_contact_state"] == "not_observable"
    initiative = session(score([*bids, cg("initiate", 200)]))
    assert initiative["contacts"] == 1


def test_too_few_bids_for_contact_is_not_the_sign() -> None:
    row = session(score([bid(30 + 60 * i, "reach") for i in range(3)]))
    assert row["cursory_contact_state"] == "not_observable"


def test_hold_median_and_putdowns_match_a_loop_on_a_simulated_session() -> None:
    # Independent implementation (brute force), written from the definition.
    sim = simulate_session("withdrawn", seed=8, duration_ms=3_600_000)
    scores = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                          duration_ms=sim.duration_ms)
    holds = sorted((r.onset_ms, int(r.offset_ms)) for r in sim.table.itertuples()
                   if r.code == "hold")
    protests = [r.onset_ms for r in sim.table.itertuples()
                if r.code == "bid" and r.modifiers.get("kind") == "protest-put-down"]
    cut = [b >= sim.duration_ms - 2_000 for _, b in holds]
    counted = [b - a for (a, b), c in zip(holds, cut, strict=True)
               if not c or b - a >= 15_000]
    putdowns = sum(
        not c and any(abs(p - b) <= 5_000 for p in protests)
        and not any(b <= a2 <= b + 10_000 for a2, _ in holds)
        for (_, b), c in zip(holds, cut, strict=True))
    row = session(scores)
    assert row["hold_median_ms"] == statistics.median(counted)
    assert row["putdowns_despite_protest"] == putdowns
