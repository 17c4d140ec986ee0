"""Time-window analysis and the built-in withdrawal query (caregiver answer after a child bid)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.errors import InputError
from samspill.core.events import events_frame
from samspill.core.sequential import (
    HIT_COLUMNS,
    POOLED,
    WINDOW_COLUMNS,
    bid_answers,
    caregiver_answer_after_bid,
    time_window,
    two_by_two,
    window_hits,
)
from samspill.core.vignette import vignette_events


def _events(sessions: dict[str, tuple[list[int], list[int]]], end_ms: int = 0) -> pd.DataFrame:
    """Bids (child) and responds (caregiver) at the given ms, plus a closing state per session."""
    rows = []
    for label, (bids, answers) in sessions.items():
        rows += [{"session": label, "subject": "child", "code": "bid", "onset_ms": t,
                  "offset_ms": pd.NA} for t in bids]
        rows += [{"session": label, "subject": "caregiver", "code": "respond", "onset_ms": t,
                  "offset_ms": pd.NA} for t in answers]
        if end_ms:
            rows.append({"session": label, "subject": "caregiver", "code": "far",
                         "onset_ms": 0, "offset_ms": end_ms})
    return pd.DataFrame(rows).astype({"offset_ms": "Int64"})


def _brute_force(bids: list[int], answers: list[int], n_units: int, window_ms: int,
                 unit_ms: int) -> tuple[list[int], int]:
    """The 2×2 tally unit by unit, and the answered bids pair by pair."""
    a = b = c = d = 0
    for k in range(n_units):
        in_window = any(t // unit_ms < k <= t // unit_ms + window_ms // unit_ms for t in bids)
        is_target = any(t // unit_ms == k for t in answers)
        a += in_window and is_target
        b += in_window and not is_target
        c += (not in_window) and is_target
        d += (not in_window) and not is_target
    followed = sum(any(t < u <= t + window_ms for u in answers) for t in bids)
    return [a, b, c, d], followed


def test_vignette_answers_two_of_seven_bids_within_ten_seconds() -> None:
    out = caregiver_answer_after_bid(events_frame(vignette_events()))
    row = out.iloc[0]
    # From the spec's timeline: bids at 20, 55, 95, 205, 215, 228, 246 s; answers (respond,
    # respond, hold onset) at 27, 63, 240 s. Windows of 10 one-second units after each bid
    # cover 70 of the 360 units; answers at 27 and 63 fall inside, 240 outside.
    assert (row.n_units, row.n_given, row.n_target, row.n_given_followed) == (360, 7, 3, 2)
    assert [row.observed, row.window_other, row.outside_target, row.outside_other] == [
        2, 68, 1, 289]
    assert row.expected == pytest.approx(70 * 3 / 360)
    assert row.odds_ratio == pytest.approx(2 * 289 / (68 * 1))
    assert row.yules_q == pytest.approx((2 * 289 - 68) / (2 * 289 + 68))
    assert row.share_followed == pytest.approx(2 / 7)
    assert list(out.columns) == WINDOW_COLUMNS and out.iloc[1].session == POOLED


def test_statistics_equal_the_two_by_two_of_the_tally() -> None:
    out = caregiver_answer_after_bid(events_frame(vignette_events())).iloc[0]
    expected = two_by_two(2, 68, 1, 289)
    for key, value in expected.items():
        assert out[key] == pytest.approx(value, abs=1e-12)


times = st.lists(st.integers(min_value=0, max_value=59_999), max_size=12)


@settings(max_examples=60, deadline=None)
@given(times, times, st.sampled_from([(1000, 1000), (5000, 1000), (3000, 500), (10000, 2000)]))
def test_tally_matches_a_unit_by_unit_brute_force(
        bids: list[int], answers: list[int], window_unit: tuple[int, int]) -> None:
    window_ms, unit_ms = window_unit
    frame = _events({"s": (bids, answers)}, end_ms=60_000)
    row = caregiver_answer_after_bid(frame, session_col="session", window_ms=window_ms,
                                     unit_ms=unit_ms).iloc[0]
    n_units = 60_000 // unit_ms
    cells, followed = _brute_force(bids, answers, n_units, window_ms, unit_ms)
    assert row.n_units == n_units == sum(cells)
    assert [row.observed, row.window_other, row.outside_target, row.outside_other] == cells
    assert row.n_given_followed == followed


def test_contingent_answers_give_a_large_positive_residual() -> None:
    bids = list(range(10_000, 300_000, 20_000))
    frame = _events({"s": (bids, [t + 2_000 for t in bids])}, end_ms=300_000)
    row = caregiver_answer_after_bid(frame, session_col="session").iloc[0]
    assert row.share_followed == 1.0 and row.yules_q == 1.0
    assert row.adjusted_residual > 3.5 and row.p_fisher < 1e-4


def test_answers_only_outside_the_windows_give_q_of_minus_one() -> None:
    bids = list(range(10_000, 300_000, 30_000))
    frame = _events({"s": (bids, [t + 15_000 for t in bids])}, end_ms=300_000)
    row = caregiver_answer_after_bid(frame, session_col="session").iloc[0]
    assert row.observed == 0 and row.yules_q == -1.0 and row.adjusted_residual < 0


def test_random_answers_are_not_contingent_on_average() -> None:
    rng = np.random.default_rng(11)
    sessions = {f"s{k}": (sorted(rng.integers(0, 600_000, 30).tolist()),
                          sorted(rng.integers(0, 600_000, 30).tolist())) for k in range(40)}
    pooled = caregiver_answer_after_bid(_events(sessions, end_ms=600_000),
                                        session_col="session").iloc[-1]
    assert abs(pooled.adjusted_residual) < 3 and abs(pooled.yules_q) < 0.2


def test_pooled_row_sums_the_sessions_tables() -> None:
    frame = _events({"a": ([1000, 30_000], [4000]), "b": ([5000], [9000, 50_000])},
                    end_ms=60_000)
    out = caregiver_answer_after_bid(frame, session_col="session")
    cells = ["n_units", "n_given", "observed", "window_other", "outside_target",
             "outside_other", "n_given_followed"]
    np.testing.assert_array_equal(out.iloc[:2][cells].sum().to_numpy(),
                                  out.iloc[2][cells].to_numpy(dtype=float))
    assert out.iloc[2].expected == pytest.approx(two_by_two(
        *out.iloc[2][cells[2:6]].to_numpy(dtype=float))["expected"])


def test_a_bid_logged_for_the_caregiver_is_not_a_child_bid() -> None:
    frame = _events({"s": ([1000], [3000])}, end_ms=20_000)
    frame.loc[0, "subject"] = "caregiver"
    row = caregiver_answer_after_bid(frame, session_col="session").iloc[0]
    assert row.n_given == 0 and math.isnan(row.share_followed)


def test_answer_at_the_bid_instant_does_not_count_but_at_the_window_end_does() -> None:
    frame = _events({"s": ([10_000, 40_000], [10_000, 50_000])}, end_ms=60_000)
    row = caregiver_answer_after_bid(frame, session_col="session").iloc[0]
    assert row.n_given_followed == 1  # 40 s → 50 s is inside (40, 50]; 10 s → 10 s is not


def test_time_window_takes_any_given_and_target_codes() -> None:
    frame = pd.DataFrame({"code": ["x", "y", "z", "y"], "onset_ms": [0, 500, 3000, 9000],
                          "offset_ms": [pd.NA] * 4})
    out = time_window(frame, given=["x", "z"], target="y", window_ms=1000, unit_ms=500)
    assert out.iloc[0].n_given == 2 and out.iloc[0].n_given_followed == 1


def test_duration_sets_the_number_of_units() -> None:
    frame = _events({"s": ([1000], [3000])})
    out = caregiver_answer_after_bid(frame, session_col="session", duration_ms={"s": 100_000})
    assert out.iloc[0].n_units == 100
    with pytest.raises(InputError, match="beyond its duration"):
        caregiver_answer_after_bid(frame, session_col="session", duration_ms=2000)
    with pytest.raises(InputError, match="no length for session"):
        caregiver_answer_after_bid(frame, session_col="session", duration_ms={"t": 5})


@pytest.mark.parametrize(("window_ms", "unit_ms", "message"), [
    (10_000, 3000, "whole multiple"), (0, 1000, "window_ms"), (1000, -5, "unit_ms"),
])
def test_bad_window_or_unit_is_refused(window_ms: int, unit_ms: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        caregiver_answer_after_bid(_events({"s": ([1], [2])}), window_ms=window_ms,
                                   unit_ms=unit_ms, session_col="session")


def test_empty_code_list_and_missing_subject_column_are_refused() -> None:
    frame = _events({"s": ([1], [2])})
    with pytest.raises(InputError, match="names no code"):
        time_window(frame, given=[], target="respond", window_ms=1000)
    with pytest.raises(InputError, match="no column subject"):
        time_window(frame.drop(columns="subject"), given="bid", target="respond",
                    window_ms=1000, given_subject="child")


def test_bid_answers_list_the_vignette_evidence_with_latencies() -> None:
    events = events_frame(vignette_events())
    hits = bid_answers(events)
    assert list(hits.columns) == HIT_COLUMNS
    assert hits["onset_ms"].tolist() == [20_000, 55_000, 95_000, 205_000, 215_000, 228_000,
                                         246_000]
    assert hits["followed"].tolist() == [True, True, False, False, False, False, False]
    assert hits["latency_ms"].iloc[:2].tolist() == [7_000, 8_000]
    assert hits["target_onset_ms"].iloc[2:].isna().all()
    assert (events.loc[hits["event_index"], "code"] == "bid").all()


@settings(max_examples=60, deadline=None)
@given(times, times, st.sampled_from([1000, 4000, 10_000]))
def test_hits_agree_with_the_window_count_and_stay_inside_the_window(
        bids: list[int], answers: list[int], window_ms: int) -> None:
    frame = _events({"s": (bids, answers)}, end_ms=60_000)
    hits = bid_answers(frame, session_col="session", window_ms=window_ms)
    row = caregiver_answer_after_bid(frame, session_col="session", window_ms=window_ms).iloc[0]
    assert len(hits) == len(bids) and hits["followed"].sum() == row.n_given_followed
    latency = hits["latency_ms"].dropna()
    assert ((latency > 0) & (latency <= window_ms)).all()
    for hit in hits[hits.followed].itertuples():
        later = [u for u in answers if hit.onset_ms < u]
        assert hit.target_onset_ms == min(later)


def test_window_hits_refuse_a_bad_window() -> None:
    with pytest.raises(InputError, match="window_ms"):
        window_hits(_events({"s": ([1], [2])}), given="bid", target="respond", window_ms=-1)


def test_withdrawal_query_separates_simulated_withdrawn_from_sensitive_dyads() -> None:
    from samspill.core.simulate import cohort_frames, simulate_cohort

    pooled = {}
    for style in ("sensitive", "withdrawn"):
        events, _, durations = cohort_frames(simulate_cohort(style, 8, seed=6))
        out = caregiver_answer_after_bid(events, session_col="coding",
                                         duration_ms=durations.to_dict())
        pooled[style] = out.iloc[-1]
    assert pooled["withdrawn"].share_followed < pooled["sensitive"].share_followed - 0.2
    assert pooled["sensitive"].adjusted_residual > 3  # sensitive answers are contingent
