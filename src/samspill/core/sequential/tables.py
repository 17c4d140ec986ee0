"""Cell statistics of contingency tables: the arithmetic behind lag and time-window analysis.

Both lag-sequential analysis (rows = given code at lag 0, columns = target code at lag k) and
time-window analysis (a 2×2 table of time units) end in a table of counts. This module turns
such a table into the statistics Bakeman & Quera (2011, ch. 9) recommend for each cell: the
expected count, conditional and unconditional probabilities, the adjusted residual, and, for
the 2×2 collapse of the cell, Yule's Q, the odds ratio and Fisher's exact p.

References
----------
Bakeman, R., & Quera, V. (2011). *Sequential Analysis and Observational Methods for the
Behavioral Sciences*. Cambridge University Press. Ch. 9 (cell statistics for contingency
tables: expected counts, adjusted residuals, Yule's Q, odds ratios).
Haberman, S. J. (1973). The analysis of residuals in cross-classified tables. *Biometrics*,
29, 205–220.
Allison, P. D., & Liker, J. K. (1982). Analyzing sequential categorical data on dyadic
interaction: A comment on Gottman. *Psychological Bulletin*, 91, 393–403.
Agresti, A. (2007). *An Introduction to Categorical Data Analysis* (2nd ed.). Wiley.
Sections 2.3–2.6 (odds ratio, standardized residuals, Fisher's exact test).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special, stats

from samspill.core.arrays import FloatArray
from samspill.core.errors import N_, InputError

CELL_COLUMNS = [
    "given", "target", "count", "given_total", "target_total", "n", "expected",
    "p_target_given", "p_given", "p_target", "adjusted_residual", "p_z",
    "yules_q", "odds_ratio", "p_fisher",
]
TABLE_TEST_COLUMNS = ["n", "df", "chi2", "p_chi2", "g2", "p_g2"]
TWO_BY_TWO_COLUMNS = [
    "expected", "adjusted_residual", "p_z", "yules_q", "odds_ratio", "p_fisher",
]


def two_by_two(a: float, b: float, c: float, d: float) -> dict[str, float]:
    """Statistics of the 2×2 table ``[[a, b], [c, d]]`` for its first cell ``a``.

    Returns a dict with the keys of :data:`TWO_BY_TWO_COLUMNS`:

    - ``expected`` e = (a+b)(a+c)/N;
    - ``adjusted_residual`` z = (a − e) / sqrt(e (1 − (a+b)/N) (1 − (a+c)/N));
    - ``p_z``: two-sided normal p of z;
    - ``yules_q`` Q = (ad − bc)/(ad + bc), in [−1, 1]; NaN when ad + bc = 0;
    - ``odds_ratio`` ad/bc; ``inf`` when bc = 0 < ad; NaN when both are 0;
    - ``p_fisher``: two-sided Fisher exact p (:func:`fisher_exact_p`, which agrees with
      ``scipy.stats.fisher_exact``).
    """
    counts = np.array([[a, b], [c, d]], dtype=float)
    if np.any(counts < 0) or not np.all(np.isfinite(counts)):
        raise InputError(
            N_("2×2 table {value} has a negative or missing count"),
            fix=N_("give counts that are whole numbers ≥ 0"),
            params={"value": str(counts.tolist())},
        )
    n = counts.sum()
    row, col = a + b, a + c
    z, p_z, expected = _adjusted(a, row, col, n)
    return {
        "expected": expected, "adjusted_residual": z, "p_z": p_z,
        "yules_q": yules_q(a, b, c, d), "odds_ratio": odds_ratio(a, b, c, d),
        "p_fisher": float(fisher_exact_p(*(np.array([v]) for v in (a, b, c, d)))[0]),
    }


def yules_q(a: float, b: float, c: float, d: float) -> float:
    """Yule's Q = (ad − bc)/(ad + bc) = (OR − 1)/(OR + 1); NaN when undefined."""
    return float(_association(*(np.array([v], dtype=float) for v in (a, b, c, d)))[0][0])


def odds_ratio(a: float, b: float, c: float, d: float) -> float:
    """Sample odds ratio ad/bc (no continuity correction); inf when bc = 0 < ad."""
    return float(_association(*(np.array([v], dtype=float) for v in (a, b, c, d)))[1][0])


def _association(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Yule's Q and the odds ratio of many 2×2 tables at once."""
    ad, bc = a * d, b * c
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(ad + bc > 0, (ad - bc) / (ad + bc), np.nan)
        ratio = np.where(bc > 0, ad / bc, np.where(ad > 0, np.inf, np.nan))
    return q, ratio


def fisher_exact_p(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Two-sided Fisher exact p of many 2×2 tables ``[[a, b], [c, d]]`` at once.

    With the margins fixed, a is hypergeometric; p sums the probabilities of every table no
    more probable than the observed one (relative tolerance 1e-7, as ``scipy.stats.
    fisher_exact`` does), computed on the log scale with ``scipy.special.gammaln``.
    """
    a, b, c, d = (np.asarray(v, dtype=float).ravel() for v in (a, b, c, d))
    row, col, n = a + b, a + c, a + b + c + d
    low, high = np.maximum(0, row + col - n), np.minimum(row, col)
    out = np.ones(a.shape)
    if a.size == 0:
        return out
    width = int((high - low).max()) + 1
    step = max(1, 2_000_000 // width)
    for start in range(0, a.size, step):
        part = slice(start, start + step)
        k = low[part, None] + np.arange(width)[None, :]
        args = (row[part, None], col[part, None], n[part, None])
        logp = _log_hypergeom(np.minimum(k, high[part, None]), *args)
        cutoff = _log_hypergeom(a[part, None], *args) + np.log1p(1e-7)
        out[part] = np.where((k <= high[part, None]) & (logp <= cutoff), np.exp(logp), 0).sum(1)
    return np.minimum(out, 1.0)


def _log_hypergeom(k: np.ndarray, row: np.ndarray, col: np.ndarray, n: np.ndarray
                   ) -> FloatArray:
    """log P(a = k) for a 2×2 table with row total ``row``, column total ``col``, total n."""
    def log_choose(m: np.ndarray, j: np.ndarray) -> FloatArray:
        # scipy is untyped here (no scipy-stubs): gammaln gives float64 arrays.
        out: FloatArray = (special.gammaln(m + 1) - special.gammaln(j + 1)
                           - special.gammaln(m - j + 1))
        return out

    return log_choose(col, k) + log_choose(n - col, row - k) - log_choose(n, row)


def _adjusted(x: float, row: float, col: float, n: float) -> tuple[float, float, float]:
    if n <= 0:
        return float("nan"), float("nan"), float("nan")
    expected = row * col / n
    variance = expected * (1 - row / n) * (1 - col / n)
    if variance <= 0:
        return float("nan"), float("nan"), float(expected)
    z = (x - expected) / np.sqrt(variance)
    return float(z), float(2 * stats.norm.sf(abs(z))), float(expected)


def cell_statistics(counts: pd.DataFrame, *, structural_zeros: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """Per-cell statistics of a table of counts (rows = given, columns = target).

    Parameters
    ----------
    counts : DataFrame
        Whole counts ≥ 0; the index holds the given codes, the columns the target codes.
    structural_zeros : DataFrame of bool, optional
        Same shape; True marks a cell that cannot occur (e.g. a code following itself when
        consecutive repeats are impossible). Expected counts then come from the
        quasi-independence model (Poisson log-linear model with row and column effects fitted
        to the other cells) and adjusted residuals from its hat matrix (Haberman, 1973).

    Returns
    -------
    DataFrame
        One row per cell, columns :data:`CELL_COLUMNS`:

        ============= =========================================================
        count         x_AB, observed count
        given_total   x_A+, row total; target_total x_+B, column total; n x_++
        expected      e_AB = x_A+ x_+B / x_++ (or the quasi-independence fit)
        p_target_given P(B|A) = x_AB / x_A+ (conditional probability)
        p_given       P(A) = x_A+ / x_++; p_target P(B) = x_+B / x_++
        adjusted_residual z = (x_AB − e_AB) / sqrt(e_AB (1 − p_A+)(1 − p_+B));
                      approximately standard normal under independence; |z| > 1.96 is
                      conventionally read as more (z > 0) or less (z < 0) often than chance
        p_z           two-sided normal p of z
        yules_q       Q of the 2×2 collapse [[x_AB, x_A+ − x_AB], [x_+B − x_AB, rest]]
        odds_ratio    odds ratio of the same collapse
        p_fisher      two-sided Fisher exact p of the same collapse
        ============= =========================================================

        Cells with a structural zero get NaN for every statistic but the counts.
    """
    x = _checked_counts(counts)
    zeros = _zeros_mask(counts, structural_zeros)
    expected, z = (_independence(x) if not zeros.any() else _quasi_independence(x, zeros))
    out = pd.DataFrame({
        "given": np.repeat(counts.index.to_numpy(), x.shape[1]),
        "target": np.tile(counts.columns.to_numpy(), x.shape[0]),
    })
    return pd.concat([out, _cells(x, expected, z, zeros)], axis=1)[CELL_COLUMNS]


def table_test(counts: pd.DataFrame, *, structural_zeros: pd.DataFrame | None = None
               ) -> dict[str, float]:
    """Tablewise test of independence (or quasi-independence) of rows and columns.

    Returns a dict with the keys of :data:`TABLE_TEST_COLUMNS`: ``n`` the total count,
    ``df`` = fitted cells − fitted parameters ((R − 1)(C − 1) for R × C live rows and columns
    without structural zeros), Pearson ``chi2`` = Σ (x − e)²/e with ``p_chi2``, and the
    likelihood-ratio ``g2`` = 2 Σ x ln(x/e) with ``p_g2`` (χ² distribution with ``df``).
    Rows and columns with no counts are left out. A small p says that, somewhere in the
    table, what follows depends on what came before; the cells' adjusted residuals say where.
    NaN when df = 0.
    """
    x = _checked_counts(counts)
    zeros = _zeros_mask(counts, structural_zeros)
    expected, _ = _independence(x) if not zeros.any() else _quasi_independence(x, zeros)
    live_rows, live_cols = x.sum(axis=1) > 0, x.sum(axis=0) > 0
    fit = ~zeros & live_rows[:, None] & live_cols[None, :]
    cells = np.argwhere(fit)
    params = (np.linalg.matrix_rank(_design(cells, np.flatnonzero(live_rows),
                                            np.flatnonzero(live_cols))) if len(cells) else 0)
    df = int(len(cells) - params)
    obs, exp = x[fit], expected[fit]
    if df <= 0:
        return {"n": float(x.sum()), "df": float(max(df, 0))} | dict.fromkeys(
            ["chi2", "p_chi2", "g2", "p_g2"], float("nan"))
    chi2 = float(np.sum((obs - exp) ** 2 / exp))
    g2 = float(2 * np.sum(obs[obs > 0] * np.log(obs[obs > 0] / exp[obs > 0])))
    return {"n": float(x.sum()), "df": float(df), "chi2": chi2,
            "p_chi2": float(stats.chi2.sf(chi2, df)), "g2": g2,
            "p_g2": float(stats.chi2.sf(g2, df))}


def _checked_counts(counts: pd.DataFrame) -> np.ndarray:
    x = counts.to_numpy(dtype=float)
    if x.size == 0:
        raise InputError(
            N_("the table of counts is empty"),
            fix=N_("give at least one row and column"),
        )
    if not np.all(np.isfinite(x)) or np.any(x < 0) or np.any(x != np.round(x)):
        raise InputError(
            N_("the table holds a negative, fractional or missing count"),
            fix=N_("give whole counts ≥ 0 in every cell"),
        )
    return x


def _zeros_mask(counts: pd.DataFrame, structural_zeros: pd.DataFrame | None) -> np.ndarray:
    if structural_zeros is None:
        return np.zeros(counts.shape, dtype=bool)
    mask = structural_zeros.reindex(index=counts.index, columns=counts.columns)
    if mask.isna().to_numpy().any():
        raise InputError(
            N_("structural_zeros does not cover every cell of the table"),
            fix=N_("give a True/False mask with the table's rows and columns"),
        )
    values = mask.to_numpy(dtype=bool)
    if np.any(counts.to_numpy()[values] > 0):
        raise InputError(
            N_("a cell marked as a structural zero holds observations"),
            fix=N_("allow the cell (e.g. allow_repeats=True) or correct the data"),
        )
    return values


def _independence(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = x.sum()
    rows, cols = x.sum(axis=1, keepdims=True), x.sum(axis=0, keepdims=True)
    expected = rows * cols / n if n > 0 else np.full(x.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = expected * (1 - rows / n) * (1 - cols / n)
        z = np.where(variance > 0, (x - expected) / np.sqrt(variance), np.nan)
    return expected, z


def _quasi_independence(x: np.ndarray, zeros: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson log-linear fit of row + column effects on the allowed cells (statsmodels)."""
    live_rows, live_cols = x.sum(axis=1) > 0, x.sum(axis=0) > 0
    fit = ~zeros & live_rows[:, None] & live_cols[None, :]
    expected, z = np.zeros(x.shape), np.full(x.shape, np.nan)
    cells = np.argwhere(fit)
    if len(cells) == 0:
        return expected, z
    design = _design(cells, np.flatnonzero(live_rows), np.flatnonzero(live_cols))
    counts = x[fit]
    if np.linalg.matrix_rank(design) >= len(counts):
        expected[fit] = counts  # saturated: the model reproduces the data, no residual
        return expected, z
    result = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
    mu = result.fittedvalues
    hat = result.get_influence().hat_matrix_diag
    with np.errstate(divide="ignore", invalid="ignore"):
        resid = np.where(1 - hat > 1e-10, (counts - mu) / np.sqrt(mu * (1 - hat)), np.nan)
    expected[fit], z[fit] = mu, resid
    return expected, z


def _design(cells: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Intercept, then dummies for all but the first live row and the first live column."""
    row_pos = {r: k for k, r in enumerate(rows)}
    col_pos = {c: k for k, c in enumerate(cols)}
    design = np.zeros((len(cells), 1 + len(rows) - 1 + len(cols) - 1))
    design[:, 0] = 1.0
    for m, (i, j) in enumerate(cells):
        if row_pos[i] > 0:
            design[m, row_pos[i]] = 1.0
        if col_pos[j] > 0:
            design[m, len(rows) - 1 + col_pos[j]] = 1.0
    return design


def _cells(x: np.ndarray, expected: np.ndarray, z: np.ndarray, zeros: np.ndarray
           ) -> pd.DataFrame:
    """Every cell's statistics, row-major, as columns."""
    a = x.ravel()
    row = np.repeat(x.sum(axis=1), x.shape[1])
    col = np.tile(x.sum(axis=0), x.shape[0])
    n = np.full(a.shape, x.sum())
    b, c = row - a, col - a
    d = n - a - b - c
    q, ratio = _association(a, b, c, d)
    live = ~zeros.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame = pd.DataFrame({
            "count": a, "given_total": row, "target_total": col, "n": n,
            "p_target_given": np.where(row > 0, a / row, np.nan),
            "p_given": np.where(n > 0, row / n, np.nan),
            "p_target": np.where(n > 0, col / n, np.nan),
            "expected": np.where(live, expected.ravel(), np.nan),
            "adjusted_residual": np.where(live, z.ravel(), np.nan),
            "yules_q": np.where(live, q, np.nan),
            "odds_ratio": np.where(live, ratio, np.nan),
            "p_fisher": np.where(live, fisher_exact_p(a, b, c, d), np.nan),
        })
    frame["p_z"] = 2 * stats.norm.sf(np.abs(frame["adjusted_residual"]))
    return frame
