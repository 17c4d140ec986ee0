"""Initiative: the share of episodes of need the caregiver met with contact or comfort."""

from __future__ import annotations

import math

from tests.core.indicators.helpers import bid, cg, ev, evidence, score, seg, segment_row, session


def test_no_episode_is_not_observable() -> None:
    row = session(score([]))
    assert math.isnan(row["initiative_share"]) and row["need_episodes"] == 0
    assert (row["initiative_state"], row["initiative_reason"]) == (
        "not_observable", "no_episode_of_need")
    assert not row["initiative_flag"]


def test_initiative_within_the_window_counts_and_a_late_one_does_not() -> None:
    events = [ev("child", "distress", 10, 30), cg("initiate", 15),
              ev("child", "distress", 100, 130), cg("initiate", 111)]
    row = session(score(events))
    assert (row["need_episodes"], row["episodes_initiated"]) == (2, 1)
    assert row["initiative_share"] == 0.5 and row["initiative_state"] == "absent"  # below 0.5


def test_the_window_is_inclusive_at_w1_and_a_setting() -> None:
    events = [ev("child", "distress", 10, 30), cg("initiate", 20)]
    assert session(score(events))["initiative_share"] == 1.0
    assert session(score(events, initiative_window_ms=9_999))["initiative_share"] == 0.0


def test_picking_the_child_up_is_taking_the_initiative() -> None:
    row = session(score([ev("child", "distress", 10, 30), cg("hold", 12, 60)]))
    assert row["episodes_initiated"] == 1 and row["initiative_state"] == "absent"


def test_a_full_answer_to_a_run_of_bids_meets_it_but_a_muted_one_does_not() -> None:
    run = [bid(10), bid(15)]
    full = session(score([*run, cg("respond", 10.5, channel="verbal", intensity="full")]))
    assert full["episodes_initiated"] == 1 and full["initiative_state"] == "absent"
    muted = session(score([*run, cg("respond", 10.5, channel="verbal", intensity="muted")]))
    assert muted["episodes_initiated"] == 0 and muted["initiative_state"] == "present"
    counted = session(score([*run, cg("respond", 10.5, intensity="muted")],
                            initiative_counts_muted=True))
    assert counted["episodes_initiated"] == 1


def test_an_episode_that_begins_while_the_child_is_held_is_met() -> None:
    row = session(score([cg("hold", 0, 60), ev("child", "distress", 10, 20)]))
    assert row["episodes_initiated"] == 1
    [note] = evidence(score([cg("hold", 0, 60), ev("child", "distress", 10, 20)]),
                      "initiative")["note"]
    assert note == "episode of need: child already held"


def test_a_run_of_bids_is_an_episode_but_isolated_bids_are_not() -> None:
    # 0, 10, 25 s: gaps under 20 s, one run; 60 and 90 s stand alone.
    events = [bid(0), bid(10), bid(25), bid(60), bid(90)]
    row = session(score(events))
    assert row["need_episodes"] == 1 and row["initiative_state"] == "present"
    assert session(score(events, bid_run_min_bids=1))["need_episodes"] == 3


def test_a_run_inside_distress_merges_into_one_episode_with_the_earlier_onset() -> None:
    events = [ev("child", "distress", 10, 40), bid(20), bid(25), cg("initiate", 19)]
    row = session(score(events))
    assert row["need_episodes"] == 1 and row["episodes_initiated"] == 1
    [first] = evidence(score(events), "initiative")["time_ms"]
    assert first == 10_000


def test_an_episode_ending_while_the_caregiver_is_away_is_left_out() -> None:
    events = [cg("absent", 0, 60), ev("child", "distress", 10, 50), cg("far", 60, 120),
              ev("child", "distress", 80, 90)]
    assert session(score(events, duration_s=120))["need_episodes"] == 1


def test_distress_still_going_on_at_the_return_counts_from_the_return() -> None:
    # Maria cries while alone and goes on crying after her mother is back: that is the need
    # the reunion meets or leaves unmet, counted from the return.
    events = [cg("leave", 120), cg("absent", 120, 180), cg("return", 180),
              ev("child", "distress", 150, 235), cg("redirect", 185)]
    row = session(score(events, duration_s=360))
    assert (row["need_episodes"], row["episodes_initiated"]) == (1, 0)
    assert row["initiative_state"] == "present"
    [when] = evidence(score(events, duration_s=360), "initiative")["time_ms"]
    assert when == 180_000
    met = session(score([*events, cg("hold", 186, 230)], duration_s=360))
    assert met["episodes_initiated"] == 1


def test_a_return_coded_a_moment_before_the_reunion_keeps_the_episode_in_the_reunion() -> None:
    events = [cg("absent", 120, 179.8), ev("child", "distress", 170, 235)]
    segments = [seg("Separation", 120, 180, "separation"), seg("Reunion", 180, 360, "reunion")]
    scores = score(events, duration_s=360, segments=[seg("Play", 0, 120), *segments])
    assert segment_row(scores, "Reunion")["need_episodes"] == 1
    assert segment_row(scores, "Separation")["need_episodes"] == 0


def test_an_episode_whose_window_is_cut_by_the_end_is_not_counted() -> None:
    events = [ev("child", "distress", 595, 600)]
    row = session(score(events))
    assert (row["need_episodes"], row["episodes_censored"]) == (0, 1)
    assert row["initiative_reason"] == "window_cut"


def test_evidence_names_the_episode_and_the_initiating_event() -> None:
    events = [ev("child", "distress", 10, 30), cg("initiate", 13)]
    [row] = evidence(score(events), "initiative").to_dict("records")
    assert row["time_ms"] == 10_000 and row["related_time_ms"] == 13_000
    assert row["value_ms"] == 3_000 and "initiative" in row["note"]


def test_distress_ending_just_after_the_return_is_no_episode_at_the_reunion() -> None:
    events = [cg("leave", 60), cg("return", 180), ev("child", "distress", 100, 180.4),
              bid(200), cg("respond", 201), bid(230), cg("respond", 231)]
    row = session(score(events))
    assert row["need_episodes"] == 0 and row["initiative_state"] == "not_observable"


def test_an_answer_to_an_earlier_bid_does_not_meet_a_new_episode() -> None:
    # The caregiver answered the show at 10 s; the crying from 13 s gets nothing.
    events = [bid(10), cg("respond", 11, channel="verbal", intensity="full"),
              ev("child", "distress", 13, 60)]
    row = session(score(events))
    assert (row["need_episodes"], row["episodes_initiated"]) == (1, 0)
    assert row["initiative_state"] == "present"
