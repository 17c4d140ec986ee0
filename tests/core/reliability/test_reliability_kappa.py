"""κ from agreement matrices: published worked examples, statsmodels, and per-code tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from statsmodels.stats.inter_rater import cohens_kappa

from samspill.core.errors import InputError
from samspill.core.reliability import kappa, kappa_from_counts, per_code_kappa


def _frame(counts, labels):
    return pd.DataFrame(counts, index=labels, columns=labels)


def test_kappa_matches_fleiss_psychiatric_diagnosis_example():
    # Fleiss (1981), Statistical Methods for Rates and Proportions, 2nd ed., Table 13.1
    # (also Fleiss, Levin & Paik 2003, Table 18.1): 100 patients, two psychiatrists;
    # p_o = .89, p_e = .66, kappa = .68 as printed.
    table = _frame([[75, 1, 4], [5, 4, 1], [0, 0, 10]], ["psychotic", "neurotic", "organic"])
    row = kappa(table).iloc[0]
    assert row["agreement"] == pytest.approx(0.89)
    assert row["chance"] == pytest.approx(0.66)
    assert round(row["kappa"], 2) == 0.68
    assert row["kappa"] == pytest.approx((0.89 - 0.66) / (1 - 0.66), abs=1e-12)


def test_kappa_matches_cohen_1960_table_1():
    # Cohen (1960), Educ. Psychol. Meas. 20, p. 40 Table 1: 200 cases, three categories,
    # p_o = .70, p_c = .41, kappa = .492. (kappa depends only on diagonal and margins.)
    proportions = np.array([[.44, .07, .09], [.05, .20, .05], [.01, .03, .06]])
    row = kappa(_frame(np.round(proportions * 200), ["1", "2", "3"])).iloc[0]
    assert row["agreement"] == pytest.approx(0.70)
    assert row["chance"] == pytest.approx(0.41)
    assert round(row["kappa"], 3) == 0.492


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(2, 5)).map(lambda s: (s[0], s[0])),
              elements=st.integers(0, 40)))
def test_kappa_agrees_with_statsmodels_on_random_tables(counts):
    k, _p_o, _p_e = kappa_from_counts(counts)
    if counts.sum() == 0 or len(np.flatnonzero(counts.sum(axis=0) + counts.sum(axis=1))) == 1:
        assert np.isnan(k)
        return
    assert k == pytest.approx(cohens_kappa(counts, return_results=False), abs=1e-9)


def test_kappa_stays_defined_when_one_category_dominates_a_huge_table():
    # e.g. 1 ms units over an hour where "nil" fills nearly every unit: p_e is within 1e-5 of 1
    counts = np.array([[3_600_000, 5], [5, 30]])
    k, _, p_e = kappa_from_counts(counts)
    assert p_e > 1 - 1e-4
    assert k == pytest.approx(cohens_kappa(counts, return_results=False), abs=1e-9)


@given(st.lists(st.integers(0, 30), min_size=2, max_size=6))
def test_diagonal_table_gives_kappa_one(diagonal):
    counts = np.diag(diagonal)
    k = kappa_from_counts(counts)[0]
    if sum(d > 0 for d in diagonal) >= 2:
        assert k == pytest.approx(1.0)
    else:
        assert np.isnan(k)


def test_per_code_kappa_collapses_to_two_by_two_tables():
    table = _frame([[0, 2, 1], [3, 10, 2], [1, 1, 8]], ["nil", "x", "y"])
    out = per_code_kappa(table).set_index("code")
    assert list(out.index) == ["x", "y"]
    # x: both 10, only A 2+3... A rows are the first index: A coded x in 15, B in 13.
    two = np.array([[10, 5], [3, 10]])
    assert out.loc["x", "kappa"] == pytest.approx(cohens_kappa(two, return_results=False))
    assert (out.loc["x", "a"], out.loc["x", "b"], out.loc["x", "both"]) == (15, 13, 10)


@pytest.mark.parametrize("bad", [
    pd.DataFrame([[1, 2]], index=["a"], columns=["a", "b"]),
    pd.DataFrame([[1, 2], [3, 4]], index=["a", "b"], columns=["b", "a"]),
    pd.DataFrame([[1, -2], [3, 4]], index=["a", "b"], columns=["a", "b"]),
])
def test_malformed_matrix_raises_input_error_naming_the_fix(bad):
    with pytest.raises(InputError, match="Fix"):
        kappa(bad)
