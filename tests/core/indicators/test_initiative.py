"""Initiative: the share of episodes of need in which the caregiver initiated within W1."""

from __future__ import annotations

import math

from tests.core.indicators.helpers import bid, cg, ev, evidence, score, session


def test_no_episode_gives_nan_share_zero_count_and_no_flag() -> None:
    row = session(score([]))
    assert math.isnan(row["initiative_share"])
    assert row["need_episodes"] == 0 and not row["initiative_flag"]


def test_initiative_within_the_window_counts_and_a_late_one_does_not() -> None:
    events = [ev("child", "distress", 10, 30), cg("initiate", 15),
              ev("child", "distress", 100, 130), cg("initiate", 111)]
    row = session(score(events))
    assert (row["need_episodes"], row["episodes_initiated"]) == (2, 1)
    assert row["initiative_share"] == 0.5 and not row["initiative_flag"]  # flag below 0.5


def test_the_window_is_inclusive_at_w1_and_a_setting() -> None:
    events = [ev("child", "distress", 10, 30), cg("initiate", 20)]
    assert session(score(events))["initiative_share"] == 1.0
    assert session(score(events, initiative_window_ms=9_999))["initiative_share"] == 0.0


def test_a_run_of_bids_is_an_episode_but_isolated_bids_are_not() -> None:
    # 0, 10, 25 s: gaps under 20 s, one run; 60 and 90 s stand alone.
    events = [bid(0), bid(10), bid(25), bid(60), bid(90)]
    row = session(score(events))
    assert row["need_episodes"] == 1 and row["initiative_flag"]
    assert session(score(events, bid_run_min_bids=1))["need_episodes"] == 3


def test_a_run_inside_distress_merges_into_one_episode_with_the_earlier_onset() -> None:
    events = [ev("child", "distress", 10, 40), bid(20), bid(25), cg("initiate", 19)]
    row = session(score(events))
    assert row["need_episodes"] == 1 and row["episodes_initiated"] == 1
    [first] = evidence(score(events), "initiative")["time_ms"]
    assert first == 10_000


def test_an_episode_starting_while_the_caregiver_is_absent_is_left_out() -> None:
    events = [cg("absent", 0, 60), ev("child", "distress", 10, 70), cg("far", 60, 120),
              ev("child", "distress", 80, 90)]
    assert session(score(events, duration_s=120))["need_episodes"] == 1


def test_evidence_names_the_episode_and_the_initiating_event() -> None:
    events = [ev("child", "distress", 10, 30), cg("initiate", 13)]
    [row] = evidence(score(events), "initiative").to_dict("records")
    assert row["time_ms"] == 10_000 and row["related_time_ms"] == 13_000
    assert row["value_ms"] == 3_000 and "initiated" in row["note"]
