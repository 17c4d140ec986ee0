"""Hierarchical OLS for outcome analysis.

Checked three ways: (1) a simulated cohort with a known R² change of .20 (the size Lyons-Ruth
et al., 2013, report for withdrawal beyond abuse); (2) an independent computation with numpy
least squares and the F-change formula (Cohen, Cohen, West & Aiken, 2003);
(3) the certified values of the NIST Statistical Reference Datasets for the Longley data
(NIST StRD, Linear Regression, "Longley", certified R² = 0.995479004577296 and coefficients),
which statsmodels ships as ``sm.datasets.longley``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from samspill.core.errors import InputError
from samspill.core.outcomes import (
    COEFFICIENT_COLUMNS,
    STEP_COLUMNS,
    hierarchical_regression,
    join_dyads,
    outcome_analysis,
)

# Population: abuse ~ N(0, 1); withdrawal = .3 abuse + e; borderline = .4 abuse + β wd + ε,
# all with variance 1. Withdrawal's unique share of variance is β²(1 − .3²) = .20.
BETA_WD = float(np.sqrt(0.20 / (1 - 0.3**2)))
NOISE_SD = float(np.sqrt(1 - (0.4**2 + BETA_WD**2 + 2 * 0.4 * BETA_WD * 0.3)))


def _cohort(n: int, seed: int = 2013) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    abuse = rng.normal(size=n)
    withdrawal = 0.3 * abuse + np.sqrt(1 - 0.09) * rng.normal(size=n)
    borderline = 0.4 * abuse + BETA_WD * withdrawal + NOISE_SD * rng.normal(size=n)
    return pd.DataFrame({"dyad": [f"D{i:04d}" for i in range(n)], "abuse": abuse,
                         "age": rng.normal(30, 5, size=n), "withdrawal": withdrawal,
                         "borderline": borderline})


def _numpy_steps(data: pd.DataFrame, outcome: str, steps: list[list[str]]) -> list[dict]:
    """R², F change and standardised betas with CIs by lstsq, written from the formulas."""
    y = data[outcome].to_numpy()
    n, sst = len(y), np.sum((y - y.mean()) ** 2)
    out, names, r2_before = [], [], 0.0
    for block in steps:
        names = names + block
        x = np.column_stack([np.ones(n), data[names].to_numpy()])
        b, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ b
        r2 = 1 - resid @ resid / sst
        df1, df2 = len(block), n - len(names) - 1
        f = ((r2 - r2_before) / df1) / ((1 - r2) / df2)
        se = np.sqrt(np.diag(np.linalg.inv(x.T @ x)) * (resid @ resid / df2))[1:]
        scale = data[names].std(ddof=1).to_numpy() / data[outcome].std(ddof=1)
        half = stats.t.ppf(0.975, df2) * se * scale
        out.append({"r2": r2, "r2_change": r2 - r2_before, "f_change": f,
                    "p_change": stats.f.sf(f, df1, df2), "beta": b[1:] * scale,
                    "low": b[1:] * scale - half, "high": b[1:] * scale + half})
        r2_before = r2
    return out


def test_recovers_a_known_r2_change_of_point_two_in_a_simulated_cohort() -> None:
    result = hierarchical_regression(_cohort(4000), outcome="borderline",
                                     steps=[["abuse"], ["withdrawal"]], dyad_col="dyad")
    last = result.steps.iloc[1]
    assert last.r2_change == pytest.approx(0.20, abs=0.03)
    assert last.p_change < 1e-10
    wd = result.coefficients.query("step == 2 and term == 'withdrawal'").iloc[0]
    assert wd.beta_ci_low < BETA_WD < wd.beta_ci_high


def test_no_effect_gives_a_small_r2_change() -> None:
    data = _cohort(1000)
    data["noise"] = np.random.default_rng(5).normal(size=1000)
    result = hierarchical_regression(data, outcome="borderline",
                                     steps=[["abuse", "withdrawal"], ["noise"]])
    assert result.steps.iloc[1].r2_change < 0.01


def test_matches_an_independent_least_squares_computation() -> None:
    data = _cohort(150, seed=7)
    steps = [["abuse", "age"], ["withdrawal"]]
    result = hierarchical_regression(data, outcome="borderline", steps=steps)
    for number, ref in enumerate(_numpy_steps(data, "borderline", steps), start=1):
        row = result.steps.iloc[number - 1]
        for key in ("r2", "r2_change", "f_change", "p_change"):
            assert row[key] == pytest.approx(ref[key], rel=1e-6, abs=1e-9)
        coefs = result.coefficients[result.coefficients.step == number]
        np.testing.assert_allclose(coefs["beta"], ref["beta"], atol=1e-6)
        np.testing.assert_allclose(coefs["beta_ci_low"], ref["low"], atol=1e-6)
        np.testing.assert_allclose(coefs["beta_ci_high"], ref["high"], atol=1e-6)


def test_full_model_reproduces_nist_longley_certified_values() -> None:
    longley = sm.datasets.longley.load_pandas().data
    result = hierarchical_regression(
        longley, outcome="TOTEMP", steps=[["GNPDEFL", "GNP", "UNEMP"], ["ARMED", "POP", "YEAR"]])
    assert result.steps.iloc[1].r2 == pytest.approx(0.995479004577296, abs=1e-10)
    certified = [15.0618722713733, -0.358191792925910e-01, -2.02022980381683,
                 -1.03322686717359, -0.511041056535807e-01, 1829.15146461355]
    np.testing.assert_allclose(result.coefficients.query("step == 2")["b"], certified,
                               rtol=1e-7)


def test_r2_changes_add_up_to_the_final_r2_and_never_fall() -> None:
    result = hierarchical_regression(_cohort(300), outcome="borderline",
                                     steps=[["age"], ["abuse"], ["withdrawal"]])
    assert result.steps["r2_change"].sum() == pytest.approx(result.steps["r2"].iloc[-1])
    assert (result.steps["r2_change"] >= 0).all()
    assert list(result.steps["df1"]) == [1, 1, 1] and list(result.steps["df2"]) == [298, 297, 296]
    assert list(result.steps.columns) == STEP_COLUMNS
    assert list(result.coefficients.columns) == COEFFICIENT_COLUMNS


def test_first_step_change_test_is_the_model_f_test() -> None:
    result = hierarchical_regression(_cohort(100), outcome="borderline",
                                     steps=[["abuse", "age"], ["withdrawal"]])
    first = result.steps.iloc[0]
    assert first.f_change == pytest.approx(first.f) and first.p_change == pytest.approx(first.p)


def test_joined_analysis_lists_every_excluded_dyad_and_why() -> None:
    data = _cohort(60)
    outcomes = data[["dyad", "borderline"]].copy()
    predictors = data[["dyad", "abuse", "withdrawal"]].copy()
    outcomes.loc[0, "borderline"] = np.nan
    predictors.loc[1, "withdrawal"] = np.nan
    predictors.loc[2, ["abuse", "withdrawal"]] = np.nan
    outcomes = pd.concat([outcomes, pd.DataFrame({"dyad": ["X1"], "borderline": [1.0]})])
    predictors = predictors[predictors.dyad != "D0059"]
    result = outcome_analysis(outcomes, predictors, outcome="borderline",
                              steps=[["abuse"], ["withdrawal"]])
    reasons = dict(zip(result.excluded.dyad, result.excluded.reason, strict=True))
    assert reasons == {
        "X1": "unknown dyad", "D0059": "unknown dyad", "D0000": "missing outcome",
        "D0001": "missing predictor: withdrawal", "D0002": "missing predictor: abuse, withdrawal",
    }
    assert result.n == 60 - 4


def test_join_reports_predictor_rows_without_outcomes_and_trims_codes() -> None:
    joined, excluded = join_dyads(pd.DataFrame({"dyad": [" A", "B"], "y": [1, 2]}),
                                  pd.DataFrame({"dyad": ["A", "B ", "C"], "x": [1, 2, 3]}))
    assert list(joined.dyad) == ["A", "B"]
    assert excluded.to_dict("records") == [{"dyad": "C", "reason": "no outcome row"}]


def test_booleans_and_numeric_text_are_accepted() -> None:
    data = _cohort(50)
    data["flag"] = data["withdrawal"] > 0
    data["abuse"] = data["abuse"].map(str)
    result = hierarchical_regression(data, outcome="borderline", steps=[["abuse"], ["flag"]])
    assert result.n == 50


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.assign(abuse=["x"] + [1.0] * 49), "non-numeric value 'x'"),
    (lambda d: d.assign(abuse=1.0), "do not vary"),
    (lambda d: d.assign(withdrawal=2 * d.abuse), "collinear"),
    (lambda d: d.head(3), "complete case"),
])
def test_unusable_data_is_refused_with_the_fix(
        change: Callable[[pd.DataFrame], pd.DataFrame], message: str) -> None:
    with pytest.raises(InputError, match=message):
        hierarchical_regression(change(_cohort(50)), outcome="borderline",
                                steps=[["abuse"], ["withdrawal"]])


@pytest.mark.parametrize(("steps", "message"), [
    ([], "non-empty lists"), ([["abuse"], []], "non-empty lists"), ("abuse", "non-empty lists"),
    ([["abuse"], ["abuse"]], "more than once"), ([["borderline"]], "more than once"),
    ([["nope"]], "no column nope"),
])
def test_bad_steps_are_refused(steps: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        hierarchical_regression(_cohort(20), outcome="borderline", steps=steps)  # type: ignore[arg-type]


def test_bad_tables_to_join_are_refused() -> None:
    good = pd.DataFrame({"dyad": ["A", "B"], "y": [1, 2]})
    with pytest.raises(InputError, match="more than once"):
        join_dyads(good, pd.DataFrame({"dyad": ["A", "A "], "x": [1, 2]}))
    with pytest.raises(InputError, match="no dyad column 'dyad'"):
        join_dyads(good, pd.DataFrame({"id": ["A"], "x": [1]}))
    with pytest.raises(InputError, match="both tables have the column"):
        join_dyads(good, pd.DataFrame({"dyad": ["A"], "y": [1]}))
    with pytest.raises(InputError, match="confidence"):
        hierarchical_regression(_cohort(20), outcome="borderline", steps=[["abuse"]],
                                confidence=95)
