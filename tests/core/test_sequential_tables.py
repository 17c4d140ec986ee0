"""Cell statistics of contingency tables, checked against published examples and brute force.

Published examples (Agresti, A., 2007, *An Introduction to Categorical Data Analysis*, 2nd ed.,
Wiley):
- Table 2.5 (section 2.4.5, p. 38): party identification by gender, with the standardized
  (= adjusted) residuals 4.50, 0.70, −5.32 / −4.50, −0.70, 5.32; and (section 2.4.3)
  X² = 30.1 and G² = 30.0 with df = 2.
- Table 2.3 (section 2.3.3): aspirin and myocardial infarction, sample odds ratio 1.832.
- Table 2.8 (section 2.6.2): Fisher's tea tasting, one-sided P = 0.243, two-sided 0.486.
Bakeman & Quera (2011, ch. 9) use the same adjusted residual (Haberman, 1973) for sequential
tables, which is why a general contingency-table example checks the sequential formula.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from samspill.core.errors import InputError
from samspill.core.sequential import (
    cell_statistics,
    fisher_exact_p,
    odds_ratio,
    table_test,
    two_by_two,
    yules_q,
)

PARTY = pd.DataFrame([[762, 327, 468], [484, 239, 477]], index=["female", "male"],
                     columns=["democrat", "independent", "republican"])


def _grid(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy().reshape(-1, 3)


def test_adjusted_residuals_match_agresti_table_2_5_to_two_decimals() -> None:
    out = cell_statistics(PARTY)
    published = np.array([[4.50, 0.70, -5.32], [-4.50, -0.70, 5.32]])
    np.testing.assert_allclose(_grid(out, "adjusted_residual").round(2), published)


def test_adjusted_residual_equals_signed_root_of_the_collapsed_chi_square() -> None:
    out = cell_statistics(PARTY)
    for row in out.itertuples():
        a = row.count
        b, c = row.given_total - a, row.target_total - a
        d = row.n - a - b - c
        chi2 = stats.chi2_contingency([[a, b], [c, d]], correction=False).statistic
        assert row.adjusted_residual == pytest.approx(np.sign(a * d - b * c) * math.sqrt(chi2),
                                                      abs=1e-9)


def test_adjusted_residual_equals_poisson_glm_standardized_residual() -> None:
    x = PARTY.to_numpy().ravel()
    rows, cols = np.repeat([0, 1], 3), np.tile([0, 1, 2], 2)
    design = np.column_stack([np.ones(6), rows == 1, cols == 1, cols == 2]).astype(float)
    fit = sm.GLM(x, design, family=sm.families.Poisson()).fit()
    hat = fit.get_influence().hat_matrix_diag
    glm_z = (x - fit.fittedvalues) / np.sqrt(fit.fittedvalues * (1 - hat))
    out = cell_statistics(PARTY)
    np.testing.assert_allclose(out["adjusted_residual"], glm_z, atol=1e-6)
    np.testing.assert_allclose(out["expected"], fit.fittedvalues, atol=1e-6)


def test_expected_counts_and_probabilities_follow_the_margins() -> None:
    out = cell_statistics(PARTY)
    expected = stats.chi2_contingency(PARTY.to_numpy()).expected_freq
    np.testing.assert_allclose(_grid(out, "expected"), expected, atol=1e-9)
    first = out.iloc[0]
    assert first.p_target_given == pytest.approx(762 / (762 + 327 + 468))
    assert first.p_target == pytest.approx((762 + 484) / PARTY.to_numpy().sum())
    assert first.p_given == pytest.approx((762 + 327 + 468) / PARTY.to_numpy().sum())


def test_odds_ratio_matches_agresti_aspirin_example() -> None:
    stats_ = two_by_two(189, 10845, 104, 10933)
    assert round(stats_["odds_ratio"], 3) == 1.832
    table = sm.stats.Table2x2(np.array([[189, 10845], [104, 10933]]))
    assert stats_["odds_ratio"] == pytest.approx(table.oddsratio, abs=1e-9)
    assert stats_["yules_q"] == pytest.approx((table.oddsratio - 1) / (table.oddsratio + 1),
                                              abs=1e-9)


def test_fisher_p_matches_agresti_tea_tasting_and_hypergeometric_enumeration() -> None:
    p = two_by_two(3, 1, 1, 3)["p_fisher"]
    assert round(p, 3) == 0.486

    def prob(k: int) -> float:
        return math.comb(4, k) * math.comb(4, 4 - k) / math.comb(8, 4)

    observed = prob(3)
    brute = sum(prob(k) for k in range(5) if prob(k) <= observed * (1 + 1e-9))
    assert p == pytest.approx(brute, abs=1e-9)


counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(counts, counts, counts, counts), min_size=1, max_size=8))
def test_vectorised_fisher_p_agrees_with_scipy_table_by_table(
        tables: list[tuple[int, int, int, int]]) -> None:
    a, b, c, d = (np.array(column) for column in zip(*tables, strict=True))
    ours = fisher_exact_p(a, b, c, d)
    for p, table in zip(ours, tables, strict=True):
        reference = stats.fisher_exact(np.array(table).reshape(2, 2)).pvalue
        assert p == pytest.approx(reference, rel=1e-6, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(counts, counts, counts, counts)
def test_yules_q_lies_in_unit_interval_and_flips_sign_when_columns_swap(
        a: int, b: int, c: int, d: int) -> None:
    q = yules_q(a, b, c, d)
    if math.isnan(q):
        assert a * d + b * c == 0
        return
    assert -1 <= q <= 1
    assert yules_q(b, a, d, c) == pytest.approx(-q)
    assert yules_q(c, d, a, b) == pytest.approx(-q)
    ratio = odds_ratio(a, b, c, d)
    if 0 < ratio < math.inf:
        assert q == pytest.approx((ratio - 1) / (ratio + 1))


@settings(max_examples=40, deadline=None)
@given(st.lists(counts, min_size=9, max_size=9))
def test_cell_statistics_agree_with_a_loop_over_cells(values: list[int]) -> None:
    x = np.array(values).reshape(3, 3)
    out = cell_statistics(pd.DataFrame(x))
    n = x.sum()
    for row in out.itertuples():
        i, j = int(row.given), int(row.target)
        r, c = x[i].sum(), x[:, j].sum()
        assert row.count == x[i, j] and row.n == n
        if n == 0 or r in (0, n) or c in (0, n):
            assert math.isnan(row.adjusted_residual)
            continue
        e = r * c / n
        z = (x[i, j] - e) / math.sqrt(e * (1 - r / n) * (1 - c / n))
        assert row.adjusted_residual == pytest.approx(z, abs=1e-9)


def _ipf(x: np.ndarray, allowed: np.ndarray, rounds: int = 2000) -> np.ndarray:
    """Iterative proportional fitting of quasi-independence (Bishop, Fienberg & Holland)."""
    m = allowed.astype(float)
    for _ in range(rounds):
        m *= (x.sum(axis=1) / m.sum(axis=1))[:, None]
        m *= (x.sum(axis=0) / m.sum(axis=0))[None, :]
    return m


def _hat_residuals(x: np.ndarray, m: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Haberman residuals (x − m)/sqrt(m (1 − h)) from the weighted hat matrix, by hand."""
    k = x.shape[0]
    cells = np.argwhere(allowed)
    design = np.array([[1.0] + [float(i == r) for r in range(1, k)] +
                       [float(j == c) for c in range(1, k)] for i, j in cells])
    w = np.diag(m[allowed])
    h = np.sqrt(w) @ design @ np.linalg.inv(design.T @ w @ design) @ design.T @ np.sqrt(w)
    out = np.full(x.shape, np.nan)
    out[allowed] = (x[allowed] - m[allowed]) / np.sqrt(m[allowed] * (1 - np.diag(h)))
    return out


def test_structural_zeros_use_quasi_independence_fit() -> None:
    x = np.array([[0, 12, 5, 3], [9, 0, 7, 4], [6, 8, 0, 10], [2, 5, 9, 0]])
    zeros = np.eye(4, dtype=bool)
    out = cell_statistics(pd.DataFrame(x), structural_zeros=pd.DataFrame(zeros))
    m = _ipf(x, ~zeros)
    expected = out["expected"].to_numpy().reshape(4, 4)
    np.testing.assert_allclose(expected[~zeros], m[~zeros], atol=1e-6)
    np.testing.assert_allclose(expected[~zeros].reshape(4, 3).sum(axis=1), x.sum(axis=1),
                               atol=1e-6)
    z = out["adjusted_residual"].to_numpy().reshape(4, 4)
    np.testing.assert_allclose(z[~zeros], _hat_residuals(x, m, ~zeros)[~zeros], atol=1e-6)
    assert np.isnan(z[zeros]).all() and np.isnan(out["yules_q"].to_numpy()[::5]).all()


def test_structural_zero_with_observations_is_refused() -> None:
    x = pd.DataFrame([[1, 2], [3, 0]])
    with pytest.raises(InputError, match="structural zero"):
        cell_statistics(x, structural_zeros=pd.DataFrame(np.eye(2, dtype=bool)))


@pytest.mark.parametrize("bad", [[[1, -2], [3, 4]], [[1.5, 2], [3, 4]], [[np.nan, 2], [3, 4]]])
def test_negative_fractional_or_missing_counts_are_refused(bad: list[list[float]]) -> None:
    with pytest.raises(InputError, match="whole counts"):
        cell_statistics(pd.DataFrame(bad))


def test_two_by_two_refuses_negative_counts() -> None:
    with pytest.raises(InputError, match="negative"):
        two_by_two(1, -1, 2, 3)


def test_empty_margins_give_nan_not_errors() -> None:
    out = two_by_two(0, 0, 3, 5)
    assert math.isnan(out["adjusted_residual"]) and math.isnan(out["yules_q"])
    assert out["p_fisher"] == 1.0


def test_tablewise_test_matches_agresti_and_scipy() -> None:
    out = table_test(PARTY)
    assert (round(out["chi2"], 1), round(out["g2"], 1), out["df"]) == (30.1, 30.0, 2)
    pearson = stats.chi2_contingency(PARTY, correction=False)
    ratio = stats.chi2_contingency(PARTY, correction=False, lambda_="log-likelihood")
    assert out["chi2"] == pytest.approx(pearson.statistic, abs=1e-9)
    assert out["g2"] == pytest.approx(ratio.statistic, abs=1e-9)
    assert out["p_g2"] == pytest.approx(ratio.pvalue, rel=1e-9)


def test_tablewise_test_under_structural_zeros_uses_the_quasi_independence_fit() -> None:
    x = np.array([[0, 12, 5, 3], [9, 0, 7, 4], [6, 8, 0, 10], [2, 5, 9, 0]])
    zeros = np.eye(4, dtype=bool)
    out = table_test(pd.DataFrame(x), structural_zeros=pd.DataFrame(zeros))
    m = _ipf(x, ~zeros)
    g2 = 2 * np.sum(x[~zeros] * np.log(x[~zeros] / m[~zeros]))
    assert out["df"] == (4 - 1) ** 2 - 4
    assert out["g2"] == pytest.approx(g2, abs=1e-6)
    assert out["chi2"] == pytest.approx(np.sum((x - m)[~zeros] ** 2 / m[~zeros]), abs=1e-6)


def test_tablewise_test_skips_empty_rows_and_has_no_p_without_df() -> None:
    out = table_test(pd.DataFrame([[5, 3, 0], [2, 7, 0], [0, 0, 0]]))
    assert out["df"] == 1
    assert math.isnan(table_test(pd.DataFrame([[5, 3]]))["chi2"])
