"""Agreement on the disrupted classification and on the withdrawal indicators."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from samspill.core.reliability import (
    classification_agreement,
    icc,
    indicator_agreement,
    kappa_from_counts,
)


def _long(matrix, name="label"):
    rows = [(t, f"coder{r}", v) for (t, r), v in np.ndenumerate(np.asarray(matrix, dtype=object))]
    return pd.DataFrame(rows, columns=["tape", "coder", name])


def test_two_coders_get_cohens_kappa_and_percent():
    # 10 tapes: both disrupted on 3, both not on 5, split on 2.
    a = [True] * 3 + [False] * 5 + [True, False]
    b = [True] * 3 + [False] * 5 + [False, True]
    out = classification_agreement(_long(np.column_stack([a, b])), target="tape",
                                   rater="coder", label="label").iloc[0]
    assert out["kappa_kind"] == "cohen" and out["percent"] == pytest.approx(80.0)
    assert out["kappa"] == pytest.approx(kappa_from_counts(np.array([[3, 1], [1, 5]]))[0])


def _brute_fleiss(matrix):
    """Fleiss (1971) κ, Psychological Bulletin 76(5), eqs. 1-9, by counting."""
    n, m = matrix.shape
    cats = sorted({v for row in matrix for v in row})
    counts = [Counter(row) for row in matrix]
    p_j = [sum(c[k] for c in counts) / (n * m) for k in cats]
    p_i = [(sum(c[k] ** 2 for k in cats) - m) / (m * (m - 1)) for c in counts]
    p_bar, p_e = np.mean(p_i), sum(p * p for p in p_j)
    return (p_bar - p_e) / (1 - p_e)


def test_fleiss_kappa_reproduces_the_ten_subjects_fourteen_raters_example():
    # The worked example of the Wikipedia article "Fleiss' kappa" (10 subjects, 14 raters,
    # 5 categories; counts per category below): P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
              [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
              [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    matrix = np.array([[cat for cat, n in enumerate(row) for _ in range(n)] for row in counts])
    out = classification_agreement(_long(matrix), target="tape", rater="coder",
                                   label="label").iloc[0]
    assert round(out["kappa"], 3) == 0.210
    assert out["kappa"] == pytest.approx(_brute_fleiss(matrix), abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(arrays(object, st.tuples(st.integers(3, 12), st.integers(3, 5)),
              elements=st.sampled_from(["disrupted", "not"])).filter(
                  lambda m: len(set(m.ravel())) == 2))
def test_three_or_more_coders_get_fleiss_kappa(matrix):
    out = classification_agreement(_long(matrix), target="tape", rater="coder",
                                   label="label").iloc[0]
    assert out["kappa_kind"] == "fleiss"
    assert out["kappa"] == pytest.approx(_brute_fleiss(matrix), abs=1e-9)
    all_same = sum(len(set(row)) == 1 for row in matrix)
    assert out["agreeing"] == all_same


def test_indicator_agreement_reports_icc_of_values_and_kappa_of_flags_per_indicator():
    rng = np.random.default_rng(7)
    rows = []
    for indicator in ("delayed", "cursory"):
        truth = rng.uniform(0, 10, 8)
        for coder in ("ann", "bo", "cy"):
            values = truth + rng.normal(0, 1, 8)
            rows += [(coder, s, indicator, v, v > 5) for s, v in enumerate(values)]
    frame = pd.DataFrame(rows, columns=["coder", "session", "indicator", "value", "flag"])
    out = indicator_agreement(frame, coder="coder", session="session", indicator="indicator",
                              value="value", flag="flag").set_index("indicator")
    assert list(out.index) == ["cursory", "delayed"]
    part = frame[frame["indicator"] == "delayed"]
    direct = icc(part, target="session", rater="coder", rating="value").set_index("type")
    assert out.loc["delayed", "icc"] == pytest.approx(direct.loc["ICC2", "icc"])
    assert out.loc["delayed", "coders"] == 3 and out.loc["delayed", "sessions"] == 8
    flags = classification_agreement(part, target="session", rater="coder", label="flag")
    assert out.loc["delayed", "flag_kappa"] == pytest.approx(flags.iloc[0]["kappa"])


def test_indicator_icc_is_nan_when_too_few_sessions():
    frame = pd.DataFrame({"coder": ["a", "b"], "session": [1, 1], "indicator": ["x", "x"],
                          "value": [1.0, 2.0], "flag": [True, False]})
    out = indicator_agreement(frame, coder="coder", session="session", indicator="indicator",
                              value="value", flag="flag").iloc[0]
    assert np.isnan(out["icc"]) and out["flag_percent"] == 0.0
