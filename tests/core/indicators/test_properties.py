"""Properties that must hold for any coding (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from samspill.core.events import events_frame
from samspill.core.indicators import INDICATORS
from samspill.core.indicators.settings import IndicatorSettings
from samspill.core.scoring import Scores, score_coding
from samspill.core.simulate import STYLES, SimulatedSession, simulate_session
from tests.core.indicators.helpers import SCHEME, bid, cg, score, session

PROPERTY = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
VALUE_COLUMNS = [c for spec in INDICATORS.values()
                 for c in (*spec.values, *spec.counts, spec.flag)]


def _simulated(style: str, seed: int, procedure: str) -> SimulatedSession:
    return simulate_session(style, seed=seed, procedure=procedure,  # type: ignore[arg-type]
                            duration_ms=300_000)


def _score(events: pd.DataFrame, segments: pd.DataFrame, duration_ms: int) -> Scores:
    return score_coding(events, segments, scheme=SCHEME, duration_ms=duration_ms)


@PROPERTY
@given(st.sampled_from(STYLES), st.integers(0, 10_000), st.sampled_from(["free-play", "ssp"]),
       st.integers(1, 3_600_000))
def test_shifting_all_times_shifts_evidence_and_changes_no_value(
        style: str, seed: int, procedure: str, shift: int) -> None:
    sim = _simulated(style, seed, procedure)
    before = _score(sim.table, sim.segments_table(), sim.duration_ms)
    moved = sim.table.assign(onset_ms=sim.table["onset_ms"] + shift,
                             offset_ms=sim.table["offset_ms"] + shift)
    segs = sim.segments_table()
    segs = segs.assign(start_ms=segs["start_ms"] + shift, end_ms=segs["end_ms"] + shift)
    after = _score(moved, segs, sim.duration_ms + shift)
    # Segments and reunions cover the same stretch of interaction; the whole session grew
    # by the empty lead-in, so compare the scopes that moved with the events.
    parts = [t[t["scope"] != "session"].reset_index(drop=True)
             for t in (before.indicators, after.indicators)]
    pd.testing.assert_frame_equal(parts[0][VALUE_COLUMNS], parts[1][VALUE_COLUMNS])
    ev0, ev1 = before.evidence, after.evidence
    assert (ev1["time_ms"] - ev0["time_ms"] == shift).all()
    related = ev0["related_time_ms"].notna()
    assert (ev1["related_time_ms"].notna() == related).all()
    assert np.array_equal(ev1["related_time_ms"][related] - ev0["related_time_ms"][related],
                          np.full(int(related.sum()), float(shift)))
    pd.testing.assert_series_equal(ev0["value_ms"], ev1["value_ms"])
    assert ev0["event_id"].tolist() == ev1["event_id"].tolist()


# An answer coded up to this long before its bid counts as its answer (coders' timing).
EARLY = IndicatorSettings().timing_tolerance_ms


def _answered_between(table: pd.DataFrame, t: int, window: int) -> bool:
    answers = table[table["code"].isin(["respond", "initiate", "hold"])]["onset_ms"]
    return bool(((answers >= t - EARLY) & (answers <= t + window)).any())


def _absent_or_held_at(table: pd.DataFrame, t: int) -> bool:
    spans = table[table["code"].isin(["absent", "hold"])]
    return bool(((spans["onset_ms"] <= t) & (t <= spans["offset_ms"])).any())


def _unanswered_times(table: pd.DataFrame, window: int) -> np.ndarray:
    """Whole seconds (in ms) with no answer starting from the timing tolerance before to the
    window after them, and a whole window before the end of the recording."""
    grid = np.arange(2_000, 300_000 - window - 1_000, 1_000)
    answers = np.sort(table[table["code"].isin(["respond", "initiate", "hold"])]["onset_ms"])
    nxt = np.searchsorted(answers, grid - EARLY)
    later = np.append(answers, np.iinfo("int64").max)[nxt]
    return grid[later - grid > window]


@PROPERTY
@given(st.sampled_from(STYLES), st.integers(0, 10_000), st.integers(0, 10**6),
       st.sampled_from(["look", "show", "reach", "approach", "call", "climb-or-lift-arms"]))
def test_adding_an_unanswered_bid_never_lowers_the_unanswered_share(
        style: str, seed: int, pick: int, kind: str) -> None:
    sim = _simulated(style, seed, "free-play")
    free = _unanswered_times(sim.table, 10_000)
    assume(len(free) > 0)
    t = int(free[pick % len(free)])
    assert not _answered_between(sim.table, t, 10_000)
    assume(not _absent_or_held_at(sim.table, t))
    leaves = sim.table[sim.table["code"] == "absent"]["onset_ms"]
    assume(not ((leaves > t) & (leaves <= t + 10_000)).any())
    before = session(_score(sim.table, sim.segments_table(), sim.duration_ms))
    extra = events_frame([bid(t / 1000, kind)], SCHEME)
    table = pd.concat([sim.table, extra], ignore_index=True)
    after = session(_score(table, sim.segments_table(), sim.duration_ms))
    assert after["bids_unanswered"] == before["bids_unanswered"] + 1
    if not math.isnan(before["unanswered_share"]):
        assert after["unanswered_share"] >= before["unanswered_share"]


@PROPERTY
@given(st.lists(st.integers(0, 599_000), min_size=1, max_size=40, unique=True),
       st.lists(st.sampled_from(["look", "reach", "climb-or-lift-arms", "protest-put-down"]),
                min_size=40, max_size=40),
       st.booleans())
def test_a_caregiver_who_answers_every_bid_at_once_is_present_only_for_muted_answers(
        times: list[int], kinds: list[str], muted: bool) -> None:
    events = []
    for t, kind in zip(times, kinds, strict=False):
        events += [bid(t / 1000, kind),
                   cg("respond", t / 1000, intensity="muted" if muted else "full")]
    row = session(score(events))
    assert row["response_latency_median_ms"] == 0 and row["unanswered_share"] == 0
    if row["responsiveness_state"] == "present":
        assert muted and row["responsiveness_reason"] == "muted_share"
    else:
        assert not muted or row["bids"] < 3
