"""Lag-sequential analysis: tables from event sequences, per session and pooled."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.errors import EventError, InputError
from samspill.core.events import events_frame
from samspill.core.sequential import (
    LAG_COLUMNS,
    LAG_TEST_COLUMNS,
    POOLED,
    code_sequences,
    lag_sequential,
    lag_table_tests,
    transition_counts,
)
from samspill.core.vignette import vignette_events


def _frame(sessions: dict[str, str]) -> pd.DataFrame:
    rows = [{"session": s, "code": c, "onset_ms": 1000 * i}
            for s, codes in sessions.items() for i, c in enumerate(codes)]
    return pd.DataFrame(rows)


def _cell(out: pd.DataFrame, session: str, given: str, target: str, lag: int = 1) -> pd.Series:
    pick = ((out.session == session) & (out.given == given) & (out.target == target)
            & (out.lag == lag))
    assert pick.sum() == 1
    return out[pick].iloc[0]


def _brute_force(sequences: list[str], lag: int) -> dict[tuple[str, str], tuple[int, float]]:
    """Counts and adjusted residuals written out with Counters, independently of the module."""
    pairs: Counter[tuple[str, str]] = Counter()
    for seq in sequences:
        pairs.update(zip(seq, seq[lag:], strict=False))
    n = sum(pairs.values())
    given: Counter[str] = Counter()
    target: Counter[str] = Counter()
    for (a, b), k in pairs.items():
        given[a] += k
        target[b] += k
    out = {}
    for a in set(given):
        for b in set(target):
            e = given[a] * target[b] / n
            var = e * (1 - given[a] / n) * (1 - target[b] / n)
            z = (pairs[(a, b)] - e) / math.sqrt(var) if var > 0 else math.nan
            out[(a, b)] = (pairs[(a, b)], z)
    return out


def test_counts_and_residuals_match_brute_force_on_random_sessions() -> None:
    rng = np.random.default_rng(7)
    sessions = {f"s{k}": "".join(rng.choice(list("ABCD"), size=40, p=[.4, .3, .2, .1]))
                for k in range(3)}
    out = lag_sequential(_frame(sessions), session_col="session", lags=[1, 2])
    for lag in (1, 2):
        for label in [*sessions, POOLED]:
            seqs = list(sessions.values()) if label == POOLED else [sessions[label]]
            for (a, b), (count, z) in _brute_force(seqs, lag).items():
                row = _cell(out, label, a, b, lag)
                assert row["count"] == count
                if math.isnan(z):
                    assert math.isnan(row.adjusted_residual)
                else:
                    assert row.adjusted_residual == pytest.approx(z, abs=1e-6)


def test_pooled_table_sums_sessions_without_crossing_between_them() -> None:
    out = lag_sequential(_frame({"one": "AAB", "two": "BAA"}), session_col="session")
    assert _cell(out, POOLED, "A", "A")["count"] == 2
    assert _cell(out, POOLED, "B", "B")["count"] == 0  # "…B" + "B…" is no transition
    assert _cell(out, POOLED, "A", "B")["n"] == 4


sequences = st.dictionaries(st.sampled_from(["s1", "s2", "s3"]),
                            st.text(alphabet="XYZ", min_size=0, max_size=25), min_size=1)


@settings(max_examples=40, deadline=None)
@given(sequences, st.integers(min_value=1, max_value=3))
def test_each_table_holds_one_transition_per_pair_k_apart(
        sessions: dict[str, str], lag: int) -> None:
    if not any(sessions.values()):
        return
    out = lag_sequential(_frame(sessions), session_col="session", lags=lag)
    for label, codes in sessions.items():
        if not codes:
            continue
        table = out[out.session == label]
        assert table["count"].sum() == max(len(codes) - lag, 0)
    pooled = out[out.session == POOLED]
    assert pooled["count"].sum() == sum(max(len(c) - lag, 0) for c in sessions.values() if c)
    finite = pooled["yules_q"].dropna()
    assert ((finite >= -1) & (finite <= 1)).all()


def test_conditional_probabilities_sum_to_one_per_given_code() -> None:
    out = lag_sequential(_frame({"s": "ABCABBCAAC"}), session_col="session")
    sums = out[out.session == "s"].groupby("given")["p_target_given"].sum()
    np.testing.assert_allclose(sums, 1.0)


def test_vignette_bids_lead_to_answers_and_redirects() -> None:
    out = lag_sequential(events_frame(vignette_events()))
    bid_respond = _cell(out, "all", "bid", "respond")
    assert bid_respond["count"] == 2 and bid_respond.given_total == 7
    assert bid_respond.n == 20  # 21 events, 20 lag-1 transitions
    assert _cell(out, "all", "bid", "redirect")["count"] == 1
    assert list(out.columns) == LAG_COLUMNS


def test_onset_order_decides_and_ties_keep_row_order() -> None:
    frame = pd.DataFrame({"code": ["C", "A", "B"], "onset_ms": [5, 0, 0]})
    assert code_sequences(frame) == {"all": ["A", "B", "C"]}


def test_without_repeats_the_lag_one_diagonal_is_a_structural_zero() -> None:
    frame = _frame({"s": "ABCABCBACBCACBACBABCBCAB"})
    out = lag_sequential(frame, session_col="session", allow_repeats=False)
    session = out[out.session == "s"]
    diagonal = session[session.given == session.target]
    assert diagonal["expected"].isna().all() and diagonal["count"].eq(0).all()
    off = session[session.given != session.target]
    np.testing.assert_allclose(off.groupby("given")["expected"].sum(),
                               off.groupby("given")["count"].sum(), atol=1e-6)
    lag2 = lag_sequential(frame, session_col="session", lags=2, allow_repeats=False)
    assert lag2["expected"].notna().all()


def test_repeats_are_refused_when_they_cannot_occur() -> None:
    with pytest.raises(InputError, match="follow themselves"):
        lag_sequential(_frame({"s": "AAB"}), session_col="session", allow_repeats=False)


def test_transition_counts_for_a_short_sequence_is_empty() -> None:
    table = transition_counts(["A"], lag=1, codes=["A", "B"])
    assert table.to_numpy().sum() == 0


def test_listed_codes_fix_the_order_and_include_unseen_codes() -> None:
    out = lag_sequential(_frame({"s": "ABAB"}), session_col="session", codes=["B", "A", "Q"])
    assert list(out[out.session == "s"].given.unique()) == ["B", "A", "Q"]
    with pytest.raises(InputError, match="not listed"):
        lag_sequential(_frame({"s": "ABAB"}), session_col="session", codes=["A"])


@pytest.mark.parametrize("lags", [0, -1, [], [1, 0], 1.5, True])
def test_bad_lags_are_refused(lags: object) -> None:
    with pytest.raises(InputError, match="lag"):
        lag_sequential(_frame({"s": "ABAB"}), session_col="session", lags=lags)  # type: ignore[arg-type]


def test_missing_column_is_named_in_the_error() -> None:
    with pytest.raises(InputError, match="no column sess"):
        lag_sequential(_frame({"s": "AB"}), session_col="sess")


def test_bad_onset_names_the_row() -> None:
    frame = pd.DataFrame({"code": ["A", "B"], "onset_ms": [0, "soon"]})
    with pytest.raises(EventError, match="event row 1"):
        lag_sequential(frame)


def test_session_named_like_the_pooled_rows_is_refused() -> None:
    with pytest.raises(InputError, match="reserved"):
        lag_sequential(_frame({POOLED: "AB"}), session_col="session")


def test_adjusted_residual_equals_the_allison_liker_form_of_the_probabilities() -> None:
    # Allison & Liker (1982): z = (P(B|A) − P(B)) / sqrt(P(B)(1 − P(B))(1 − P(A)) / (N P(A))).
    out = lag_sequential(_frame({"s": "ABCABBCAACBBACABCCABACBA"}), session_col="session")
    for row in out[out.session == "s"].itertuples():
        spread = row.p_target * (1 - row.p_target) * (1 - row.p_given) / (row.n * row.p_given)
        z = (row.p_target_given - row.p_target) / math.sqrt(spread)
        assert row.adjusted_residual == pytest.approx(z, abs=1e-9)


def test_tablewise_tests_cover_each_session_lag_and_the_pooled_table() -> None:
    frame = _frame({"a": "ABCABCABBA", "b": "CCABACBBAC"})
    out = lag_table_tests(frame, session_col="session", lags=[1, 2])
    assert list(out.columns) == LAG_TEST_COLUMNS
    assert list(zip(out.session, out.lag, strict=True)) == [
        ("a", 1), ("b", 1), (POOLED, 1), ("a", 2), ("b", 2), (POOLED, 2)]
    assert out.set_index(["session", "lag"]).loc[(POOLED, 1), "n"] == 18
    assert (out["df"] == 4).all()
