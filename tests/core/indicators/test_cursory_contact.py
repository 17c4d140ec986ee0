"""Cursory contact: median hold bout and put-downs despite protest."""

from __future__ import annotations

import math

from tests.core.indicators.helpers import bid, cg, evidence, score, session


def test_no_hold_gives_nan_median_zero_putdowns_and_no_flag() -> None:
    row = session(score([bid(5, "protest-put-down")]))
    assert math.isnan(row["hold_median_ms"])
    assert (row["hold_bouts"], row["putdowns_despite_protest"]) == (0, 0)
    assert not row["cursory_contact_flag"]


def test_median_of_bouts_and_no_flag_when_long_and_unprotested() -> None:
    row = session(score([cg("hold", 10, 15), cg("hold", 20, 50), cg("hold", 60, 80)]))
    assert row["hold_median_ms"] == 20_000 and row["hold_bouts"] == 3
    assert not row["cursory_contact_flag"]


def test_an_even_number_of_bouts_averages_the_middle_two() -> None:
    row = session(score([cg("hold", 10, 15), cg("hold", 20, 50)]))
    assert row["hold_median_ms"] == 17_500 and not row["cursory_contact_flag"]


def test_short_median_flags() -> None:
    assert session(score([cg("hold", 10, 18)]))["cursory_contact_flag"]


def test_a_protest_within_two_seconds_of_the_end_is_a_putdown_despite_protest() -> None:
    events = [cg("hold", 10, 40), bid(38, "protest-put-down"),   # 2 s before: counts
              cg("hold", 50, 80), bid(82.5, "protest-put-down"),  # 2.5 s after: not
              cg("hold", 90, 120), bid(121, "protest-put-down")]  # 1 s after: counts
    row = session(score(events))
    assert row["putdowns_despite_protest"] == 2 and row["cursory_contact_flag"]
    notes = evidence(score(events), "cursory_contact")["note"].tolist()
    assert notes.count("hold bout: put down despite protest") == 2


def test_other_bid_kinds_are_not_protests() -> None:
    row = session(score([cg("hold", 10, 40), bid(39, "reach")]))
    assert row["putdowns_despite_protest"] == 0


def test_the_protest_window_is_a_setting() -> None:
    events = [cg("hold", 10, 40), bid(37, "protest-put-down")]
    assert session(score(events))["putdowns_despite_protest"] == 0
    assert session(score(events, protest_window_ms=3_000))["putdowns_despite_protest"] == 1
