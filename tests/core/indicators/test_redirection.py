"""Redirection: the share of the reactions to a child seeking the caregiver that steer away."""

from __future__ import annotations

import math

from tests.core.indicators.helpers import bid, cg, ev, evidence, score, session


def test_no_seeking_signal_is_not_observable_but_the_rate_is_given() -> None:
    row = session(score([bid(5, "look"), cg("redirect", 6)]))
    assert math.isnan(row["redirect_share"]) and row["redirection_state"] == "not_observable"
    assert row["seeking_signals"] == 0 and row["redirects"] == 1
    assert row["redirects_per_10min"] == 1.0  # one in 600 s present


def test_hand_computed_share_over_the_signals_that_got_a_reaction() -> None:
    events = [bid(10, "approach"), cg("redirect", 12),                  # redirected
              bid(30, "reach"), cg("respond", 31), cg("redirect", 33),  # contact came first
              bid(50, "look"), cg("redirect", 51),                      # not seeking proximity
              bid(70, "climb-or-lift-arms"),                            # no reaction: left out
              bid(90, "reach"), cg("redirect", 92)]                     # redirected
    row = session(score(events))
    assert (row["seeking_signals"], row["signals_redirected"], row["signals_contact"]) == (
        4, 2, 1)
    assert row["redirect_share"] == 2 / 3 and row["redirection_state"] == "present"
    assert row["redirects"] == 4 and row["redirects_per_10min"] == 4.0


def test_distress_is_a_signal_that_seeks_the_caregiver() -> None:
    events = [ev("child", "distress", 10, 40), cg("redirect", 14), bid(60, "reach"),
              cg("redirect", 61)]
    row = session(score(events))
    assert (row["seeking_signals"], row["signals_redirected"]) == (2, 2)
    assert row["redirection_state"] == "present"


def test_ignoring_every_bid_is_not_redirecting() -> None:
    # Ignoring shows in responsiveness and cursory contact; here there is nothing to judge.
    row = session(score([bid(30 + 60 * k, "reach") for k in range(10)]))
    assert (row["redirection_state"], row["redirection_reason"]) == (
        "not_observable", "no_reaction")


def test_one_redirect_is_no_pattern() -> None:
    events = [bid(10, "reach"), cg("redirect", 11), bid(60, "reach"), cg("hold", 61, 90),
              bid(120, "reach"), cg("hold", 121, 150)]
    row = session(score(events))
    assert row["redirect_share"] == 1 / 3 and row["redirection_state"] == "absent"
    assert session(score(events, redirect_min_count=1))["redirection_state"] == "present"


def test_a_redirect_and_contact_at_the_same_instant_count_as_contact() -> None:
    row = session(score([bid(10, "reach"), cg("redirect", 11), cg("hold", 11, 30)]))
    assert row["signals_redirected"] == 0 and row["signals_contact"] == 1


def test_a_redirect_after_the_window_is_no_reaction() -> None:
    row = session(score([bid(10, "reach"), cg("redirect", 20.5)]))
    assert row["signals_redirected"] == 0 and row["signals_contact"] == 0


def test_a_redirect_coded_just_before_the_bid_counts() -> None:
    row = session(score([bid(10, "reach"), cg("redirect", 9.5)]))
    assert row["signals_redirected"] == 1


def test_the_rate_uses_time_present() -> None:
    events = [cg("absent", 0, 300), cg("near", 300, 600), cg("redirect", 400)]
    assert session(score(events))["redirects_per_10min"] == 2.0


def test_evidence_lists_signals_and_redirects() -> None:
    table = evidence(score([bid(10, "approach"), cg("redirect", 12)]), "redirection")
    assert table["note"].tolist() == ["seeking the caregiver: redirected", "redirect"]
    assert table["related_time_ms"].iloc[0] == 12_000


def test_a_faint_nod_before_the_redirect_is_no_contact() -> None:
    events = [e for t in (10, 60, 110) for e in (
        bid(t, "reach"), cg("respond", t + 1, channel="nonverbal", intensity="muted"),
        cg("redirect", t + 2))]
    row = session(score(events))
    assert row["signals_redirected"] == 3 and row["redirection_state"] == "present"


def test_an_answer_to_an_earlier_bid_is_no_reaction_to_the_distress() -> None:
    events = [bid(10, "show"), cg("respond", 11, intensity="full"), ev("child", "distress", 13, 40),
              bid(100, "show"), cg("respond", 101, intensity="full"),
              ev("child", "distress", 103, 140)]
    row = session(score(events))
    assert row["signals_contact"] == 0
