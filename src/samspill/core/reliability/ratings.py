"""Agreement on ratings: ICC, Cohen's and weighted κ, Krippendorff's α, percent agreement.

Every function takes a long table, one row per (target, rater) with the rating, and keyword
arguments naming its columns. A target is what is rated (a tape, a session); a rater a coder.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, cast

import krippendorff
import numpy as np
import pandas as pd
import pingouin
from statsmodels.stats.inter_rater import cohens_kappa

from samspill.core.errors import N_, InputError
from samspill.core.reliability._input import require_columns

Level = Literal["nominal", "ordinal", "interval"]
ICC_TYPES = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
ICC_DESCRIPTIONS = [
    "one-way random, single rater", "two-way random, absolute agreement, single rater",
    "two-way mixed, consistency, single rater", "one-way random, mean of k raters",
    "two-way random, absolute agreement, mean of k raters",
    "two-way mixed, consistency, mean of k raters",
]


def wide_ratings(frame: pd.DataFrame, *, target: str, rater: str, rating: str,
                 numeric: bool = True) -> pd.DataFrame:
    """Targets × raters table of ratings (NaN where a rater did not rate a target).

    Raises :class:`InputError` for missing columns, a rater rating a target twice, or
    (``numeric``) ratings that are not numbers.
    """
    require_columns(frame, [target, rater, rating], name="ratings table")
    twice = frame.duplicated([target, rater])
    if twice.any():
        row = frame[twice].iloc[0]
        raise InputError(
            N_("rater {value} rated target {value2} more than once"),
            fix=N_("keep one rating per target and rater"),
            params={"value": repr(row[rater]), "value2": repr(row[target])},
        )
    values = frame[rating]
    if numeric:
        values = pd.to_numeric(values, errors="coerce")
        bad = values.isna() & frame[rating].notna()
        if bad.any():
            raise InputError(
                N_("rating {value} is not a number"),
                fix=N_("give numeric ratings (code ordered labels as 1, 2, 3, …)"),
                params={"value": repr(frame.loc[bad, rating].iloc[0])},
            )
    long = frame.assign(**{rating: values})
    return long.pivot(index=target, columns=rater, values=rating)


MIN_ICC_RATINGS = 5


def _complete(wide: pd.DataFrame, *, need_raters: int = 2, need_targets: int = 2) -> pd.DataFrame:
    full = wide.dropna(axis=0, how="any")
    if wide.shape[1] < need_raters or len(full) < need_targets:
        raise InputError(
            N_("{count} targets rated by all {value} raters"),
            fix=N_("give at least {need_targets} targets each rated by the same {need_raters} or "
                   "more raters"),
            params={
                "count": len(full),
                "value": str(wide.shape[1]),
                "need_targets": str(need_targets),
                "need_raters": str(need_raters),
            },
        )
    return full


@contextmanager
def _full_precision() -> Iterator[None]:
    """Turn off pingouin's output rounding (it rounds CI95 to 2 decimals) and restore it."""
    saved = dict(pingouin.options)
    for key in [k for k in pingouin.options if k.startswith("round")]:
        del pingouin.options[key]
    pingouin.options["round"] = None
    try:
        yield
    finally:
        pingouin.options.clear()
        pingouin.options.update(saved)


def icc(frame: pd.DataFrame, *, target: str, rater: str, rating: str) -> pd.DataFrame:
    """Intraclass correlations in the six Shrout–Fleiss / McGraw–Wong forms, with 95 % CIs.

    Targets not rated by every rater are left out (listwise). From the two-way ANOVA mean
    squares (BMS targets, JMS raters, EMS residual, WMS within targets; k raters, n targets):
    ICC1 = (BMS − WMS)/(BMS + (k−1)WMS); ICC2 = (BMS − EMS)/(BMS + (k−1)EMS + k(JMS − EMS)/n);
    ICC3 = (BMS − EMS)/(BMS + (k−1)EMS); ICC1k = (BMS − WMS)/BMS;
    ICC2k = (BMS − EMS)/(BMS + (JMS − EMS)/n); ICC3k = (BMS − EMS)/BMS.

    Returns
    -------
    DataFrame
        Six rows: ``type`` (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k), ``description``, ``icc``,
        ``f``, ``df1``, ``df2``, ``pval``, ``ci95_low``, ``ci95_high``, ``targets``, ``raters``.
        ICC2 (absolute agreement of a single rater) is the one to read when a trainee's
        ratings must match the master's in value, not only in order; ICC3 ignores a constant
        offset between raters; the k forms describe the mean of the k raters. With perfect
        agreement the ICCs are 1 and the CIs NaN (the residual mean square is 0).

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
    reliability. Psychological Bulletin, 86(2), 420–428.
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
    coefficients. Psychological Methods, 1(1), 30–46.
    """
    full = _complete(wide_ratings(frame, target=target, rater=rater, rating=rating))
    if full.size < MIN_ICC_RATINGS:  # pingouin's ANOVA needs this many; say so, not assert
        raise InputError(
            N_("only {size} complete ratings for the ICC"),
            fix=N_("give at least {min_icc_ratings} ratings from raters who each rated every "
                   "target (e.g. 3 targets × 2 raters)"),
            params={"size": str(full.size), "min_icc_ratings": str(MIN_ICC_RATINGS)},
        )
    # One level of rater columns, so stack() gives a Series (the stubs allow a frame too).
    stacked = cast(pd.Series, full.rename_axis(index="t", columns="r").stack())
    long = stacked.rename("y").reset_index()
    with _full_precision(), np.errstate(invalid="ignore", divide="ignore"):
        out = pingouin.intraclass_corr(long, targets="t", raters="r", ratings="y")
    ci = np.vstack(out["CI95"].to_numpy())
    return pd.DataFrame({
        "type": ICC_TYPES, "description": ICC_DESCRIPTIONS,
        "icc": out["ICC"].to_numpy(float), "f": out["F"].to_numpy(float),
        "df1": out["df1"].to_numpy(float), "df2": out["df2"].to_numpy(float),
        "pval": out["pval"].to_numpy(float), "ci95_low": ci[:, 0], "ci95_high": ci[:, 1],
        "targets": len(full), "raters": full.shape[1],
    })


def _two_rater_table(frame: pd.DataFrame, target: str, rater: str, rating: str,
                     numeric: bool) -> tuple[np.ndarray, np.ndarray]:
    full = _complete(wide_ratings(frame, target=target, rater=rater, rating=rating,
                                  numeric=numeric), need_targets=1)
    if full.shape[1] != 2:
        raise InputError(
            N_("κ needs exactly two raters, found {value}"),
            fix=N_("select two raters, or use Krippendorff's α or the pairwise matrix"),
            params={"value": str(full.shape[1])},
        )
    cats = np.unique(full.to_numpy().ravel())
    index = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for x, y in full.itertuples(index=False):
        table[index[x], index[y]] += 1
    return table, cats


def weighted_kappa(frame: pd.DataFrame, *, target: str, rater: str, rating: str) -> pd.DataFrame:
    """Cohen's κ and its linear and quadratic weighted forms for two raters.

    Weighted κ = 1 − Σ w_ij p_ij / Σ w_ij p_i+ p_+j with w_ij = |x_i − x_j| (linear) or
    (x_i − x_j)² (quadratic), x the numeric rating values, so a near miss counts less than a
    far one. Quadratic weighted κ approximates the ICC.

    Returns
    -------
    DataFrame
        Rows ``weights`` = none, linear, quadratic with ``kappa``, ``se`` and ``ci95_low``,
        ``ci95_high`` (asymptotic, from statsmodels), and ``targets``.

    References
    ----------
    Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70(4), 213–220.
    Fleiss, J. L., & Cohen, J. (1973). Educational and Psychological Measurement, 33, 613–619.
    """
    table, cats = _two_rater_table(frame, target, rater, rating, numeric=True)
    rows = []
    for name, wt in (("none", None), ("linear", "linear"), ("quadratic", "quadratic")):
        with np.errstate(invalid="ignore", divide="ignore"):  # SE undefined in corner cases
            res = cohens_kappa(table, weights=cats.astype(float) if wt else None, wt=wt)
        rows.append((name, float(res.kappa), float(res.std_kappa), float(res.kappa_low),
                     float(res.kappa_upp), int(table.sum())))
    return pd.DataFrame(rows, columns=["weights", "kappa", "se", "ci95_low", "ci95_high",
                                       "targets"])


def krippendorff_alpha(frame: pd.DataFrame, *, target: str, rater: str, rating: str,
                       level: Level = "interval") -> pd.DataFrame:
    """Krippendorff's α; missing ratings allowed, any number of raters.

    α = 1 − D_o / D_e, the observed disagreement among ratings of the same target over the
    disagreement expected when ratings are paired at random, with the distance of the
    ``level``: nominal (same or not), ordinal (ranks between) or interval (squared difference).
    Targets with fewer than two ratings carry no information and are ignored.

    Returns
    -------
    DataFrame
        One row: ``level``, ``alpha``, ``targets`` (with ≥ 2 ratings), ``ratings`` (pairable
        values). α = 1 is perfect reliability, 0 chance; Krippendorff advises α ≥ .800, and
        α ≥ .667 only for tentative conclusions. α is NaN when all ratings are the same value
        (no variation: it is undefined).

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
    Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
    """
    if level not in ("nominal", "ordinal", "interval"):
        raise InputError(
            N_("level {level} is unknown"),
            fix=N_("use nominal, ordinal or interval"),
            params={"level": repr(level)},
        )
    wide = wide_ratings(frame, target=target, rater=rater, rating=rating,
                        numeric=level != "nominal")
    if level == "nominal":
        codes, _ = pd.factorize(wide.to_numpy().ravel(), use_na_sentinel=True)
        data = np.where(codes < 0, np.nan, codes).reshape(wide.shape).astype(float)
    else:
        data = wide.to_numpy(dtype=float)
    pairable = (~np.isnan(data)).sum(axis=1)
    used = data[pairable >= 2]
    if len(used) == 0:
        raise InputError(
            N_("α needs targets rated by two or more raters"),
            fix=N_("give each target ratings from at least two raters"),
        )
    if len(np.unique(used[~np.isnan(used)])) < 2:
        alpha = float("nan")  # no variation: expected disagreement 0, α undefined
    else:
        alpha = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
    return pd.DataFrame({"level": [level], "alpha": [float(alpha)], "targets": [len(used)],
                         "ratings": [int((~np.isnan(used)).sum())]})


def percent_agreement(frame: pd.DataFrame, *, target: str, rater: str,
                      rating: str) -> pd.DataFrame:
    """Share of targets on which every rater gave the same rating.

    Targets with fewer than two ratings are left out. Easy to read but not corrected for
    chance: with few categories, raters agree often by chance alone (read κ or α beside it).

    Returns
    -------
    DataFrame
        One row: ``targets`` (with ≥ 2 ratings), ``agreeing`` and ``percent`` (0–100).
    """
    wide = wide_ratings(frame, target=target, rater=rater, rating=rating, numeric=False)
    rated = wide[wide.notna().sum(axis=1) >= 2]
    if rated.empty:
        raise InputError(
            N_("no target has two or more ratings"),
            fix=N_("give each target ratings from at least two raters"),
        )
    agreeing = int((rated.nunique(axis=1, dropna=True) == 1).sum())
    return pd.DataFrame({"targets": [len(rated)], "agreeing": [agreeing],
                         "percent": [100.0 * agreeing / len(rated)]})
