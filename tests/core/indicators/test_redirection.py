"""Redirection: redirects per 10 minutes and the share of proximity bids redirected."""

from __future__ import annotations

import math

from tests.core.indicators.helpers import bid, cg, evidence, score, session


def test_no_proximity_bid_gives_nan_share_and_no_flag_but_a_rate() -> None:
    row = session(score([bid(5, "look"), cg("redirect", 6)]))
    assert math.isnan(row["redirect_share"]) and not row["redirection_flag"]
    assert row["proximity_bids"] == 0 and row["redirects"] == 1
    assert row["redirects_per_10min"] == 1.0  # one in 600 s present


def test_hand_computed_share_with_contact_first_and_no_reaction() -> None:
    events = [bid(10, "approach"), cg("redirect", 12),          # redirected
              bid(30, "reach"), cg("respond", 31), cg("redirect", 33),  # contact came first
              bid(50, "look"), cg("redirect", 51),              # not a proximity bid
              bid(70, "climb-or-lift-arms")]                    # no reaction
    row = session(score(events))
    assert (row["proximity_bids"], row["proximity_bids_redirected"],
            row["proximity_bids_contact"]) == (3, 1, 1)
    assert row["redirect_share"] == 1 / 3 and row["redirection_flag"]
    assert row["redirects"] == 3 and row["redirects_per_10min"] == 3.0


def test_a_redirect_and_contact_at_the_same_instant_count_as_contact() -> None:
    row = session(score([bid(10, "reach"), cg("redirect", 11), cg("hold", 11, 30)]))
    assert row["proximity_bids_redirected"] == 0 and row["proximity_bids_contact"] == 1


def test_a_redirect_after_the_window_is_no_reaction() -> None:
    row = session(score([bid(10, "reach"), cg("redirect", 20.5)]))
    assert row["redirect_share"] == 0.0


def test_the_rate_uses_time_present() -> None:
    events = [cg("absent", 0, 300), cg("near", 300, 600), cg("redirect", 400)]
    assert session(score(events))["redirects_per_10min"] == 2.0


def test_evidence_lists_bids_and_redirects() -> None:
    table = evidence(score([bid(10, "approach"), cg("redirect", 12)]), "redirection")
    assert table["note"].tolist() == ["proximity bid: redirected", "redirect"]
    assert table["related_time_ms"].iloc[0] == 12_000
