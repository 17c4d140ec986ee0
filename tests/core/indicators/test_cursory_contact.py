"""Cursory contact: median hold bout and put-downs despite protest."""

from __future__ import annotations

import math
import statistics

from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from tests.core.indicators.helpers import SCHEME, bid, cg, evidence, score, session


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


def test_hold_median_and_putdowns_match_a_loop_on_a_simulated_session() -> None:
    # Independent implementation (brute force): statistics.median over the hold states, and
    # for each hold a scan of all protest bids.
    sim = simulate_session("withdrawn", seed=8, duration_ms=3_600_000)
    scores = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                          duration_ms=sim.duration_ms)
    holds = [(r.onset_ms, int(r.offset_ms)) for r in sim.table.itertuples() if r.code == "hold"]
    protests = [r.onset_ms for r in sim.table.itertuples()
                if r.code == "bid" and r.modifiers.get("kind") == "protest-put-down"]
    row = session(scores)
    assert row["hold_median_ms"] == statistics.median(b - a for a, b in holds)
    assert row["putdowns_despite_protest"] == sum(
        any(abs(p - b) <= 2_000 for p in protests) for _, b in holds)
