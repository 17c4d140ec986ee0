"""Relations between instruments in a cohort: Pearson's r and Spearman's ρ with 95 % CIs.

For example EAS non-hostility against the rate of hostile behaviour (the hostility qualifier's
value), or CARE-Index unresponsiveness against the share of bids left unanswered. One row per
pair of cohort columns, over the codings where both are present.

Confidence intervals use Fisher's z: ``tanh(atanh(r) ± z_(1-α/2) · se)``. For Pearson's r
``se = 1/sqrt(n-3)`` (as ``scipy.stats.pearsonr(...).confidence_interval()``); for Spearman's ρ
``se = sqrt((1 + ρ²/2)/(n-3))`` (Bonett & Wright, 2000), which keeps the interval's coverage
near its level for ranks. With fewer than 4 pairs, or a column that does not vary, the values
are missing and ``note`` says why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from samspill.core.errors import N_, InputError
from samspill.core.forms import segment_column
from samspill.core.scheme import Scheme

RELATION_COLUMNS = ["x", "y", "n", "pearson_r", "pearson_ci_low", "pearson_ci_high", "pearson_p",
                    "spearman_rho", "spearman_ci_low", "spearman_ci_high", "spearman_p", "note"]
# Pairs asked for when none are given, kept where both columns are in the cohort: each form's
# scale against the sign it speaks to (hostility: the qualifier's rate; responsiveness: the
# share of bids unanswered). A form rated per segment has the scale once per segment
# (``<scale>_<segment>``, core.forms.segment_column): each is paired the same way.
DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("eas_nonhostility", "hostile_rate_per_10min"),
    ("eas_sensitivity", "unanswered_share"),
    ("eas_nonintrusiveness", "hostile_rate_per_10min"),
    ("care_unresponsiveness", "unanswered_share"),
    ("care_sensitivity", "unanswered_share"),
    ("care_control", "hostile_rate_per_10min"),
    ("ains_sensitivity", "unanswered_share"),
    ("ains_accessibility", "far_share"),
    ("eas_adult", "level"),
    ("ainsworth_total", "level"),
)
MIN_PAIRS = 4


def default_pairs(columns: Sequence[str], segments: Sequence[str] = ()
                  ) -> list[tuple[str, str]]:
    """The :data:`DEFAULT_PAIRS` whose two columns are both in ``columns``, each followed by
    the same pair for every one of ``segments`` (template ids, :func:`rated_segments`) the
    scale is rated in (``eas_sensitivity_ep5``: a column of ``columns``)."""
    have = set(columns)
    out = []
    for x, y in DEFAULT_PAIRS:
        if y in have:
            out += [(c, y) for c in [x, *(segment_column(x, s) for s in segments)] if c in have]
    return out


def rated_segments(schemes: Iterable[Scheme]) -> list[str]:
    """The segments (template ids) the schemes' forms are rated in, each once, in order."""
    found = (s for scheme in schemes for form in scheme.rating_forms if form.per == "segment"
             for s in form.segments)
    return list(dict.fromkeys(found))


def fisher_ci(r: float, n: int, *, se: float | None = None,
              confidence: float = 0.95) -> tuple[float, float]:
    """Fisher-z interval of a correlation ``r`` from ``n`` pairs (``se`` defaults to
    ``1/sqrt(n-3)``); NaN below 4 pairs. A correlation of ±1 gives the point itself."""
    if n < MIN_PAIRS or math.isnan(r):
        return math.nan, math.nan
    if abs(r) >= 1:
        return r, r
    half = float(stats.norm.ppf((1 + confidence) / 2)) * (se or 1 / math.sqrt(n - 3))
    z = math.atanh(r)
    return math.tanh(z - half), math.tanh(z + half)


def instrument_correlations(frame: pd.DataFrame, pairs: Sequence[tuple[str, str]], *,
                            confidence: float = 0.95) -> pd.DataFrame:
    """One row per pair (columns :data:`RELATION_COLUMNS`): n, Pearson's r and Spearman's ρ
    with their ``confidence`` intervals and p values, over the rows where both are present.

    Raises :class:`InputError` for a column the frame does not hold or a confidence outside
    (0, 1).
    """
    if not 0 < confidence < 1:
        raise InputError(N_("confidence {confidence} is not between 0 and 1"),
                         fix=N_("give a level such as 0.95"),
                         params={"confidence": str(confidence)})
    missing = sorted({c for pair in pairs for c in pair} - set(map(str, frame.columns)))
    if missing:
        raise InputError(N_("the cohort has no column {columns}"),
                         fix=N_("name cohort columns (docs/variables.md), e.g. "
                                "eas_nonhostility"),
                         params={"columns": ", ".join(missing)})
    rows = [_pair(frame, x, y, confidence) for x, y in pairs]
    return pd.DataFrame(rows, columns=RELATION_COLUMNS)


def _numbers(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series) or series.dtype == object:
        series = series.map(lambda v: v if v is None or v is pd.NA else float(v)
                            if isinstance(v, bool | int | float | np.number) else math.nan)
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _pair(frame: pd.DataFrame, x: str, y: str, confidence: float) -> dict[str, object]:
    both = pd.DataFrame({"x": _numbers(frame[x]), "y": _numbers(frame[y])}).dropna()
    n = len(both)
    row: dict[str, object] = {"x": x, "y": y, "n": n, "note": ""}
    if n < MIN_PAIRS:
        return {**row, "note": f"fewer than {MIN_PAIRS} codings with both rated"}
    if both["x"].nunique() < 2 or both["y"].nunique() < 2:
        return {**row, "note": "a column does not vary"}
    r, p = stats.pearsonr(both["x"], both["y"])
    rho, p_rho = stats.spearmanr(both["x"], both["y"])
    r, rho = float(r), float(rho)
    low, high = fisher_ci(r, n, confidence=confidence)
    rho_se = math.sqrt((1 + rho ** 2 / 2) / (n - 3))
    rho_low, rho_high = fisher_ci(rho, n, se=rho_se, confidence=confidence)
    return {**row, "pearson_r": r, "pearson_ci_low": low, "pearson_ci_high": high,
            "pearson_p": float(p), "spearman_rho": rho, "spearman_ci_low": rho_low,
            "spearman_ci_high": rho_high, "spearman_p": float(p_rho)}
