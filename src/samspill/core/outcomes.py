"""Outcome analysis: does withdrawal predict an outcome beyond covariates? Hierarchical OLS.

A researcher has one row per dyad of outcome variables (e.g. later borderline features) and one
row per dyad of predictors (covariates such as abuse severity, and Samspill's withdrawal
indicators). Predictors enter in ordered steps (blocks); each step's model holds all predictors
so far. Reported per step: R², the R² change and its F test, and standardised betas with
confidence intervals; and which dyads were left out, and why. This is how Lyons-Ruth et al.
(2013) reported that maternal withdrawal in infancy explained about 20 % of the variance in
later borderline features beyond abuse.

All steps are fitted on the same cases (listwise deletion over every variable of every step),
as the F test of the R² change requires.

References
----------
Cohen, J., Cohen, P., West, S. G., & Aiken, L. S. (2003). *Applied Multiple
Regression/Correlation Analysis for the Behavioral Sciences* (3rd ed.). Erlbaum
(hierarchical analysis of sets of predictors; the F test of an R² increment).
Lyons-Ruth, K., Bureau, J.-F., Holmes, B., Easterbrooks, A., & Brooks, N. H. (2013). Borderline
symptoms and suicidality/self-injury in late adolescence: Prospectively observed relationship
correlates in infancy and childhood. *Psychiatry Research*, 206, 273–281.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from samspill.core.errors import N_, InputError

STEP_COLUMNS = ["step", "added", "n", "k", "r2", "adj_r2", "r2_change", "f_change", "df1",
                "df2", "p_change", "f", "p"]
COEFFICIENT_COLUMNS = ["step", "term", "b", "se", "t", "p", "beta", "beta_ci_low",
                       "beta_ci_high"]
EXCLUDED_COLUMNS = ["dyad", "reason"]


@dataclass(frozen=True)
class HierarchicalResult:
    """The three tables of a hierarchical regression.

    ``steps`` (columns :data:`STEP_COLUMNS`): per step, ``added`` the predictors entered at
    this step (comma-separated), ``n`` cases, ``k`` predictors in the model, ``r2`` and
    ``adj_r2``; ``r2_change`` ΔR² over the previous step (over 0 for step 1) with
    F = (ΔR²/df1) / ((1 − R²)/df2), ``df1`` = predictors added, ``df2`` = n − k − 1, and
    ``p_change``; ``f`` and ``p`` test the whole model.

    ``coefficients`` (columns :data:`COEFFICIENT_COLUMNS`): per step and predictor, the raw
    slope ``b`` with ``se``, ``t`` and ``p``, and the standardised beta (the slope when outcome
    and predictors are z-scored on the analysed cases, SD with n − 1) with its confidence
    interval ``beta_ci_low`` … ``beta_ci_high``. The intercept is not listed.

    ``excluded`` (columns :data:`EXCLUDED_COLUMNS`): each dyad left out, and why: ``unknown
    dyad`` (an outcome row with no predictor row), ``no outcome row`` (a predictor row with no
    outcome row), ``missing outcome``, or ``missing predictor: <columns>``.
    """

    steps: pd.DataFrame
    coefficients: pd.DataFrame
    excluded: pd.DataFrame

    @property
    def n(self) -> int:
        """The number of cases analysed."""
        return int(self.steps["n"].iloc[0])


def join_dyads(outcomes: pd.DataFrame, predictors: pd.DataFrame, *, dyad_col: str = "dyad"
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join an outcome table and a predictor table on the dyad code.

    Returns the joined rows (dyads in both tables, in the outcome table's order) and the
    excluded dyads (columns :data:`EXCLUDED_COLUMNS`): ``unknown dyad`` for outcome rows
    without predictors, ``no outcome row`` for predictor rows without an outcome row.
    """
    for name, table in (("outcome", outcomes), ("predictor", predictors)):
        _check_dyads(table, dyad_col, name)
    shared = sorted((set(outcomes.columns) & set(predictors.columns)) - {dyad_col})
    if shared:
        raise InputError(
            N_("both tables have the column(s) {shared}"),
            fix=N_("rename or drop the column in one of the tables"),
            params={"shared": ', '.join(shared)},
        )
    left, right = _keyed(outcomes, dyad_col), _keyed(predictors, dyad_col)
    joined = left.merge(right, on=dyad_col, how="inner", sort=False)
    known, measured = set(right[dyad_col]), set(left[dyad_col])
    excluded = [(d, "unknown dyad") for d in left[dyad_col] if d not in known]
    excluded += [(d, "no outcome row") for d in right[dyad_col] if d not in measured]
    return joined, pd.DataFrame(excluded, columns=EXCLUDED_COLUMNS)


def _check_dyads(table: pd.DataFrame, dyad_col: str, name: str) -> None:
    if dyad_col not in table.columns:
        raise InputError(
            N_("the {name} table has no dyad column '{dyad_col}'"),
            fix=N_("name the dyad column (the table has: {columns})"),
            params={"name": str(name), "dyad_col": str(dyad_col),
                    "columns": ", ".join(table.columns)},
        )
    codes = table[dyad_col]
    if codes.isna().any():
        raise InputError(
            N_("the {name} table has rows without a dyad code"),
            fix=N_("fill in every dyad code or drop those rows"),
            params={"name": str(name)},
        )
    stripped = codes.astype(str).str.strip()
    twice = sorted(set(stripped[stripped.duplicated()]))
    if twice:
        raise InputError(
            N_("the {name} table lists dyad(s) {listed} more than once"),
            fix=N_("keep one row per dyad"),
            params={"name": str(name), "listed": ', '.join(twice[:5])},
        )


def _keyed(table: pd.DataFrame, dyad_col: str) -> pd.DataFrame:
    return table.assign(**{dyad_col: table[dyad_col].astype(str).str.strip()})


def hierarchical_regression(data: pd.DataFrame, *, outcome: str,
                            steps: Sequence[Sequence[str]], dyad_col: str | None = None,
                            confidence: float = 0.95) -> HierarchicalResult:
    """Hierarchical OLS of ``outcome`` on blocks of predictors entered in ``steps``.

    Parameters
    ----------
    data : DataFrame
        One row per case (dyad) with the outcome and every predictor, numeric.
    outcome : str
        The outcome column.
    steps : sequence of sequences of str
        The predictor blocks in order of entry, e.g. ``[["abuse"], ["withdrawal"]]``.
    dyad_col : str, optional
        Column naming the cases in ``excluded``; by default the row index.
    confidence : float
        Level of the betas' confidence intervals (default 0.95).

    Returns
    -------
    HierarchicalResult
        ``steps``, ``coefficients`` and ``excluded`` tables, documented on the class.

    Notes
    -----
    R² change: ΔR²_s = R²_s − R²_{s−1}; F_s = (ΔR²_s / df1) / ((1 − R²_s) / df2) with
    df1 = predictors added at step s and df2 = n − k_s − 1 (Cohen et al., 2003),
    computed with statsmodels' ``compare_f_test`` of the nested models. Read a significant
    ΔR² at the last step as: the last block predicts the outcome beyond the earlier blocks.
    """
    blocks = _checked_steps(data, outcome, steps)
    if not 0 < confidence < 1:
        raise InputError(
            N_("confidence {confidence} is not between 0 and 1"),
            fix=N_("use e.g. 0.95"),
            params={"confidence": str(confidence)},
        )
    names = [c for block in blocks for c in block]
    numeric = _numeric(data, [outcome, *names])
    labels = data[dyad_col].astype(str) if dyad_col else pd.Series(data.index.astype(str))
    keep, excluded = _complete_cases(numeric, outcome, names, labels.to_numpy())
    cases = numeric[keep]
    _check_fit(cases, outcome, names)
    step_rows, coef_rows = _fit_steps(cases, outcome, blocks, 1 - confidence)
    return HierarchicalResult(pd.DataFrame(step_rows, columns=STEP_COLUMNS),
                              pd.DataFrame(coef_rows, columns=COEFFICIENT_COLUMNS), excluded)


def outcome_analysis(outcomes: pd.DataFrame, predictors: pd.DataFrame, *, outcome: str,
                     steps: Sequence[Sequence[str]], dyad_col: str = "dyad",
                     confidence: float = 0.95) -> HierarchicalResult:
    """Join outcomes and predictors per dyad (:func:`join_dyads`), then
    :func:`hierarchical_regression`; ``excluded`` lists the dyads lost at either stage."""
    joined, unmatched = join_dyads(outcomes, predictors, dyad_col=dyad_col)
    result = hierarchical_regression(joined, outcome=outcome, steps=steps, dyad_col=dyad_col,
                                     confidence=confidence)
    excluded = pd.concat([unmatched, result.excluded], ignore_index=True)
    return HierarchicalResult(result.steps, result.coefficients, excluded)


def _checked_steps(data: pd.DataFrame, outcome: str, steps: Sequence[Sequence[str]]
                   ) -> list[list[str]]:
    if isinstance(steps, str) or not steps or any(isinstance(b, str) or not b for b in steps):
        raise InputError(
            N_("steps must be a list of non-empty lists of predictor columns"),
            fix=N_("give e.g. steps=[[\"abuse\"], [\"withdrawal\"]]"),
        )
    blocks = [list(block) for block in steps]
    names = [c for block in blocks for c in block]
    missing = [c for c in [outcome, *names] if c not in data.columns]
    if missing:
        raise InputError(
            N_("no column {missing} in the data"),
            fix=N_("use columns of the table: {listed}"),
            params={"missing": ', '.join(missing), "listed": ', '.join(map(str, data.columns))},
        )
    twice = sorted({c for c in names if names.count(c) > 1} | ({outcome} & set(names)))
    if twice:
        raise InputError(
            N_("column(s) {twice} appear more than once among the outcome and the steps"),
            fix=N_("enter each predictor in one step only"),
            params={"twice": ', '.join(twice)},
        )
    return blocks


def _numeric(data: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = {}
    for column in columns:
        values = data[column].astype(float) if data[column].dtype == bool else data[column]
        coerced = pd.to_numeric(values, errors="coerce")
        bad = coerced.isna() & values.notna() & (values.astype(str).str.strip() != "")
        if bad.any():
            raise InputError(
                N_("column '{column}' holds the non-numeric value {value}"),
                fix=N_("code it as numbers (e.g. 0/1 dummies) or leave the cell empty"),
                params={"column": str(column), "value": repr(values[bad].iloc[0])},
            )
        out[column] = coerced.astype(float).to_numpy()
    return pd.DataFrame(out)


def _complete_cases(numeric: pd.DataFrame, outcome: str, names: list[str],
                    labels: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    rows = []
    missing_outcome = numeric[outcome].isna().to_numpy()
    missing_predictors = numeric[names].isna().to_numpy()
    for i, label in enumerate(labels):
        if missing_outcome[i]:
            rows.append((label, "missing outcome"))
        elif missing_predictors[i].any():
            which = [n for n, gone in zip(names, missing_predictors[i], strict=True) if gone]
            rows.append((label, f"missing predictor: {', '.join(which)}"))
    keep = ~missing_outcome & ~missing_predictors.any(axis=1)
    return keep, pd.DataFrame(rows, columns=EXCLUDED_COLUMNS)


def _check_fit(cases: pd.DataFrame, outcome: str, names: list[str]) -> None:
    if len(cases) < len(names) + 2:
        raise InputError(
            N_("{count} complete case(s) cannot fit {count2} predictor(s)"),
            fix=N_("give at least {value} dyads with complete data"),
            params={"count": len(cases), "count2": len(names), "value": str(len(names) + 2)},
        )
    flat = [c for c in [outcome, *names] if cases[c].std(ddof=1) == 0]
    if flat:
        raise InputError(
            N_("column(s) {columns} do not vary among the analysed cases"),
            fix=N_("drop the constant column(s)"),
            params={"columns": ', '.join(flat)},
        )
    design = sm.add_constant(cases[names].to_numpy(), has_constant="add")
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise InputError(
            N_("the predictors are perfectly collinear"),
            fix=N_("drop a predictor that is a combination of the others"),
        )


def _fit_steps(cases: pd.DataFrame, outcome: str, blocks: list[list[str]], alpha: float
               ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    y = cases[outcome].to_numpy()
    z = (cases - cases.mean()) / cases.std(ddof=1)
    previous = sm.OLS(y, np.ones((len(y), 1))).fit()
    step_rows: list[dict[str, object]] = []
    coef_rows: list[dict[str, object]] = []
    names: list[str] = []
    for number, block in enumerate(blocks, start=1):
        names = [*names, *block]
        raw = sm.OLS(y, sm.add_constant(cases[names].to_numpy(), has_constant="add")).fit()
        std = sm.OLS(z[outcome].to_numpy(),
                     sm.add_constant(z[names].to_numpy(), has_constant="add")).fit()
        step_rows.append(_step_row(number, block, raw, previous))
        coef_rows += _coef_rows(number, names, raw, std, alpha)
        previous = raw
    return step_rows, coef_rows


def _step_row(number: int, block: list[str], raw: sm.regression.linear_model.RegressionResults,
              previous: sm.regression.linear_model.RegressionResults) -> dict[str, object]:
    f_change, p_change, df1 = raw.compare_f_test(previous)
    return {
        "step": number, "added": ", ".join(block), "n": int(raw.nobs),
        "k": int(raw.df_model), "r2": raw.rsquared, "adj_r2": raw.rsquared_adj,
        "r2_change": raw.rsquared - (previous.rsquared if previous.df_model else 0.0),
        "f_change": float(f_change), "df1": int(df1), "df2": int(raw.df_resid),
        "p_change": float(p_change), "f": float(raw.fvalue), "p": float(raw.f_pvalue),
    }


def _coef_rows(number: int, names: list[str],
               raw: sm.regression.linear_model.RegressionResults,
               std: sm.regression.linear_model.RegressionResults,
               alpha: float) -> list[dict[str, object]]:
    ci = std.conf_int(alpha)
    return [
        {"step": number, "term": name, "b": raw.params[i + 1], "se": raw.bse[i + 1],
         "t": raw.tvalues[i + 1], "p": raw.pvalues[i + 1], "beta": std.params[i + 1],
         "beta_ci_low": ci[i + 1, 0], "beta_ci_high": ci[i + 1, 1]}
        for i, name in enumerate(names)
    ]
