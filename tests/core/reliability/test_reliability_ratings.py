"""Rating agreement: ICC (Shrout & Fleiss 1979), weighted κ, Krippendorff's α (2011), percent."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import f as f_dist

from samspill.core.errors import InputError
from samspill.core.reliability import (
    icc,
    krippendorff_alpha,
    percent_agreement,
    weighted_kappa,
)

# Shrout & Fleiss (1979), Psychological Bulletin 86(2), p. 423 Table 2: 6 targets, 4 judges.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
                          [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], dtype=float)
# Their Table 4 (p. 426): ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44,
# ICC(2,4) .62, ICC(3,4) .91.
SHROUT_FLEISS_ICC = {"ICC1": .17, "ICC2": .29, "ICC3": .71, "ICC1k": .44, "ICC2k": .62,
                     "ICC3k": .91}

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: four observers,
# twelve units, missing values. Published: nominal .743, ordinal .815, interval .849.
N = np.nan
KRIPPENDORFF = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
                         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
                         [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
                         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]])


def _long(matrix: np.ndarray) -> pd.DataFrame:
    """targets × raters matrix -> long table, missing cells dropped."""
    rows = [(t, r, v) for (t, r), v in np.ndenumerate(matrix) if not np.isnan(v)]
    return pd.DataFrame(rows, columns=["target", "rater", "rating"])


COLS = {"target": "target", "rater": "rater", "rating": "rating"}


def test_icc_reproduces_shrout_fleiss_table_4():
    out = icc(_long(SHROUT_FLEISS), **COLS).set_index("type")
    for kind, published in SHROUT_FLEISS_ICC.items():
        assert round(out.loc[kind, "icc"], 2) == published, kind
    assert (out["targets"] == 6).all() and (out["raters"] == 4).all()


def _anova_iccs(x: np.ndarray) -> dict[str, float]:
    """The six ICCs from mean squares computed with explicit sums (Shrout & Fleiss 1979)."""
    n, k = x.shape
    grand = x.mean()
    ss_targets = k * sum((row.mean() - grand) ** 2 for row in x)
    ss_raters = n * sum((col.mean() - grand) ** 2 for col in x.T)
    ss_within = sum(((row - row.mean()) ** 2).sum() for row in x)
    ss_error = ((x - grand) ** 2).sum() - ss_targets - ss_raters
    bms, jms = ss_targets / (n - 1), ss_raters / (k - 1)
    wms, ems = ss_within / (n * (k - 1)), ss_error / ((n - 1) * (k - 1))
    return {
        "ICC1": (bms - wms) / (bms + (k - 1) * wms),
        "ICC2": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC3": (bms - ems) / (bms + (k - 1) * ems),
        "ICC1k": (bms - wms) / bms,
        "ICC2k": (bms - ems) / (bms + (jms - ems) / n),
        "ICC3k": (bms - ems) / bms,
        "F3": bms / ems, "F1": bms / wms,
    }


ratings_matrix = st.tuples(st.integers(3, 9), st.integers(2, 5)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.integers(1, 7).map(float)))


@settings(max_examples=40, deadline=None)
@given(ratings_matrix.filter(lambda m: m.std(axis=1).sum() > 0 and np.ptp(m.mean(axis=1)) > 0))
def test_icc_matches_anova_formulas_to_1e6(matrix):
    expected = _anova_iccs(matrix)
    # Where a denominator cancels to about zero the ICC is undefined (both implementations
    # return rounding noise of order 1e16): such matrices say nothing about agreement.
    assume(all(abs(v) < 1e6 for v in expected.values()))
    out = icc(_long(matrix), **COLS).set_index("type")
    for kind in SHROUT_FLEISS_ICC:
        assert out.loc[kind, "icc"] == pytest.approx(expected[kind], abs=1e-6), kind


def test_icc_confidence_intervals_follow_the_f_distribution_at_full_precision():
    n, k = SHROUT_FLEISS.shape
    out = icc(_long(SHROUT_FLEISS), **COLS).set_index("type")
    expected = _anova_iccs(SHROUT_FLEISS)
    # Shrout & Fleiss (1979) eq. for case 3: F_L = F / F_{.975}(n-1, (n-1)(k-1)), etc.
    df2 = (n - 1) * (k - 1)
    f_low = expected["F3"] / f_dist.ppf(0.975, n - 1, df2)
    f_high = expected["F3"] * f_dist.ppf(0.975, df2, n - 1)
    assert out.loc["ICC3", "ci95_low"] == pytest.approx((f_low - 1) / (f_low + k - 1), abs=1e-9)
    assert out.loc["ICC3", "ci95_high"] == pytest.approx((f_high - 1) / (f_high + k - 1),
                                                         abs=1e-9)
    assert out.loc["ICC3k", "ci95_low"] == pytest.approx(1 - 1 / f_low, abs=1e-9)
    for kind in SHROUT_FLEISS_ICC:
        assert out.loc[kind, "ci95_low"] < out.loc[kind, "icc"] < out.loc[kind, "ci95_high"]


def _mcgraw_wong_icc_a1_interval(x: np.ndarray) -> tuple[float, float]:
    """95 % CI of ICC(A,1) by McGraw & Wong (1996), Psychological Methods 1(1), Table 7,
    case 2A, with their Satterthwaite degrees of freedom written via a and b."""
    n, k = x.shape
    grand = x.mean()
    msr = k * ((x.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((x.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    mse = (((x - grand) ** 2).sum() - (n - 1) * msr - (k - 1) * msc) / ((n - 1) * (k - 1))
    rho = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    a = k * rho / (n * (1 - rho))
    b = 1 + k * rho * (n - 1) / (n * (1 - rho))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    f_low, f_high = f_dist.ppf(0.975, n - 1, v), f_dist.ppf(0.975, v, n - 1)
    rest = k * msc + (k * n - k - n) * mse
    low = n * (msr - f_low * mse) / (f_low * rest + n * msr)
    high = n * (f_high * msr - mse) / (rest + n * f_high * msr)
    return low, high


def test_icc2_interval_matches_mcgraw_wong_formula():
    out = icc(_long(SHROUT_FLEISS), **COLS).set_index("type")
    low, high = _mcgraw_wong_icc_a1_interval(SHROUT_FLEISS)
    k = SHROUT_FLEISS.shape[1]
    assert out.loc["ICC2", "ci95_low"] == pytest.approx(low, abs=1e-9)
    assert out.loc["ICC2", "ci95_high"] == pytest.approx(high, abs=1e-9)
    # the mean of k raters: Spearman–Brown of the single-rater bounds
    assert out.loc["ICC2k", "ci95_low"] == pytest.approx(k * low / (1 + (k - 1) * low), abs=1e-9)


def test_icc_leaves_out_targets_missing_a_rating():
    matrix = np.vstack([SHROUT_FLEISS, [5, N, 3, 4]])
    out = icc(_long(matrix), **COLS).set_index("type")
    assert out.loc["ICC2", "targets"] == 6
    assert out.loc["ICC2", "icc"] == pytest.approx(_anova_iccs(SHROUT_FLEISS)["ICC2"], abs=1e-9)


def _brute_weighted(x: np.ndarray, y: np.ndarray, power: int) -> float:
    observed = np.mean([abs(p - q) ** power for p, q in zip(x, y, strict=True)])
    chance = np.mean([abs(p - q) ** power for p in x for q in y])
    return 1 - observed / chance


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(4, 15), st.just(2)),
              elements=st.sampled_from([1.0, 2.0, 3.0, 5.0, 7.0])).filter(
                  lambda m: len(np.unique(m)) > 1))
def test_weighted_kappa_matches_disagreement_weight_formula(matrix):
    out = weighted_kappa(_long(matrix), **COLS).set_index("weights")
    x, y = matrix[:, 0], matrix[:, 1]
    assert out.loc["linear", "kappa"] == pytest.approx(_brute_weighted(x, y, 1), abs=1e-9)
    assert out.loc["quadratic", "kappa"] == pytest.approx(_brute_weighted(x, y, 2), abs=1e-9)
    same = np.mean(x == y)
    chance = np.mean([p == q for p in x for q in y])
    if chance < 1:
        assert out.loc["none", "kappa"] == pytest.approx((same - chance) / (1 - chance))


def test_weighted_kappa_needs_exactly_two_raters():
    with pytest.raises(InputError, match="two raters"):
        weighted_kappa(_long(SHROUT_FLEISS), **COLS)


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815),
                                                  ("interval", 0.849)])
def test_alpha_reproduces_krippendorff_2011_example(level, published):
    out = krippendorff_alpha(_long(KRIPPENDORFF.T), **COLS, level=level).iloc[0]
    assert round(out["alpha"], 3) == published
    assert out["targets"] == 11  # unit 12 has a single value and is not pairable


def _brute_alpha(matrix: np.ndarray, metric) -> float:
    """Coincidence-matrix α (Krippendorff 2011) with loops; matrix is targets × raters."""
    values = np.unique(matrix[~np.isnan(matrix)])
    index = {v: i for i, v in enumerate(values)}
    coincide = np.zeros((len(values), len(values)))
    for unit in matrix:
        present = unit[~np.isnan(unit)]
        if len(present) < 2:
            continue
        for i, j in itertools.permutations(range(len(present)), 2):
            coincide[index[present[i]], index[present[j]]] += 1 / (len(present) - 1)
    n_c = coincide.sum(axis=1)
    total = n_c.sum()
    delta = np.array([[metric(c, k) for k in values] for c in values])
    observed = (coincide * delta).sum() / total
    expected = (np.outer(n_c, n_c) * delta).sum() / (total * (total - 1))
    return 1 - observed / expected


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(3, 10), st.integers(2, 4)),
              elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, N])))
def test_alpha_matches_coincidence_matrix_brute_force_with_missing_values(matrix):
    pairable = matrix[(~np.isnan(matrix)).sum(axis=1) >= 2]
    if len(pairable) == 0:
        with pytest.raises(InputError, match="two or more raters"):
            krippendorff_alpha(_long(matrix), **COLS, level="nominal")
        return
    if len(np.unique(pairable[~np.isnan(pairable)])) < 2:
        assert np.isnan(krippendorff_alpha(_long(matrix), **COLS, level="nominal")
                        .iloc[0]["alpha"])
        return
    nominal = krippendorff_alpha(_long(matrix), **COLS, level="nominal").iloc[0]["alpha"]
    interval = krippendorff_alpha(_long(matrix), **COLS, level="interval").iloc[0]["alpha"]
    assert nominal == pytest.approx(_brute_alpha(matrix, lambda c, k: float(c != k)), abs=1e-9)
    assert interval == pytest.approx(_brute_alpha(matrix, lambda c, k: (c - k) ** 2), abs=1e-9)


def test_nominal_alpha_accepts_text_labels():
    frame = _long(KRIPPENDORFF.T)
    labels = frame.assign(rating=frame["rating"].map(lambda v: f"cat{int(v)}"))
    alpha = krippendorff_alpha(labels, **COLS, level="nominal").iloc[0]["alpha"]
    assert round(alpha, 3) == 0.743


def test_percent_agreement_counts_targets_where_all_raters_agree():
    frame = _long(np.array([[1, 1, 1], [2, 2, 3], [4, 4, N], [5, N, N]]))
    out = percent_agreement(frame, **COLS).iloc[0]
    assert (out["targets"], out["agreeing"]) == (3, 2)
    assert out["percent"] == pytest.approx(200 / 3)


@pytest.mark.parametrize(("frame", "words"), [
    (pd.DataFrame({"target": [1, 1], "rater": ["a", "a"], "rating": [1, 2]}), "more than once"),
    (pd.DataFrame({"target": [1, 1], "rater": ["a", "b"], "rating": ["x", 2]}), "not a number"),
    (pd.DataFrame({"target": [1], "rater": ["a"]}), "no column 'rating'"),
    (pd.DataFrame({"target": [1, 2], "rater": ["a", "a"], "rating": [1, 2]}), "at least 2"),
])
def test_bad_rating_tables_raise_input_error(frame, words):
    with pytest.raises(InputError, match=words):
        icc(frame, **COLS)


def test_unknown_alpha_level_is_refused():
    with pytest.raises(InputError, match="nominal, ordinal or interval"):
        krippendorff_alpha(_long(KRIPPENDORFF.T), **COLS, level="ratio")


def test_icc_on_too_few_ratings_is_an_input_error_not_an_assertion() -> None:
    import pandas as pd
    import pytest

    from samspill.core.errors import InputError
    from samspill.core.reliability.ratings import icc

    frame = pd.DataFrame({"t": [1, 1, 2, 2], "r": ["a", "b", "a", "b"], "y": [3, 4, 5, 5]})
    with pytest.raises(InputError, match="at least 5 ratings"):
        icc(frame, target="t", rater="r", rating="y")
