"""Cohen's κ from an agreement (confusion) matrix, overall and per code.

The matrix has coder A in rows and coder B in columns, cell (i, j) counting the units or events
that A coded i and B coded j. It may hold a ``nil`` row and column ("nothing coded").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samspill.core.errors import N_, InputError


def kappa_from_counts(counts: np.ndarray) -> tuple[float, float, float]:
    """(κ, p_o, p_e) of a square count array; κ is NaN when p_e = 1 or the table is empty."""
    table = np.asarray(counts, dtype=float)
    total = table.sum()
    if total <= 0:
        return float("nan"), float("nan"), float("nan")
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    p_o = np.trace(table) / total
    p_e = float(rows @ cols) / total**2
    used = np.flatnonzero(rows + cols)
    if len(used) == 1:  # both coders used one and the same category: p_e = 1 exactly
        return float("nan"), float(p_o), 1.0
    return float((p_o - p_e) / (1.0 - p_e)), float(p_o), float(p_e)


def _square(table: pd.DataFrame) -> np.ndarray:
    if not isinstance(table, pd.DataFrame):
        raise InputError(
            N_("the agreement matrix is not a DataFrame"),
            fix=N_("pass a DataFrame with coder A in rows and coder B in columns"),
        )
    if table.shape[0] != table.shape[1] or list(table.index) != list(table.columns):
        raise InputError(
            N_("the agreement matrix is not square with the same labels in rows and columns"),
            fix=N_("reindex it: table.reindex(index=labels, columns=labels, fill_value=0)"),
        )
    values = table.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise InputError(
            N_("the agreement matrix holds missing or negative counts"),
            fix=N_("give counts of 0 or more in every cell"),
        )
    return values


def kappa(table: pd.DataFrame) -> pd.DataFrame:
    """Cohen's κ of an agreement matrix.

    .. math:: \\kappa = \\frac{p_o - p_e}{1 - p_e}, \\quad
              p_o = \\sum_i n_{ii}/N, \\quad p_e = \\sum_i n_{i+} n_{+i} / N^2

    Parameters
    ----------
    table : DataFrame
        Square counts, coder A in rows, coder B in columns, same labels in both.

    Returns
    -------
    DataFrame
        One row with columns ``n`` (total count), ``agreement`` (p_o, the observed share on the
        diagonal), ``chance`` (p_e, expected by chance from the margins) and ``kappa``.
        κ = 1 is perfect agreement, 0 is agreement at chance level, below 0 worse than chance.
        κ is NaN when p_e = 1 (both coders used one category only): it is then undefined.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement, 20(1), 37–46.
    """
    values = _square(table)
    k, p_o, p_e = kappa_from_counts(values)
    return pd.DataFrame({"n": [values.sum()], "agreement": [p_o], "chance": [p_e], "kappa": [k]})


def per_code_kappa(table: pd.DataFrame, *, nil: str | None = "nil") -> pd.DataFrame:
    """κ per code from each code's 2×2 present/absent table, collapsed from ``table``.

    For code c: both coded c (n_cc), only A (n_c+ − n_cc), only B (n_+c − n_cc), neither.

    Returns
    -------
    DataFrame
        One row per code except ``nil``, columns ``code``, ``a`` (count A coded c), ``b``
        (count B coded c), ``both``, ``n`` and ``kappa`` (NaN when undefined, e.g. a code
        neither coder used).

    References
    ----------
    Bakeman, R., Quera, V., & Gnisci, A. (2009). Observer agreement for timed-event sequential
    data. Behavior Research Methods, 41(1), 137–147.
    """
    values = _square(table)
    total = values.sum()
    rows = []
    for i, label in enumerate(table.index):
        if label == nil:
            continue
        both, a_n, b_n = values[i, i], values[i].sum(), values[:, i].sum()
        two = np.array([[both, a_n - both], [b_n - both, total - a_n - b_n + both]])
        rows.append({"code": label, "a": a_n, "b": b_n, "both": both, "n": total,
                     "kappa": kappa_from_counts(two)[0]})
    return pd.DataFrame(rows, columns=["code", "a", "b", "both", "n", "kappa"])


def matrix_from_pairs(a_codes: np.ndarray, b_codes: np.ndarray, labels: list[str]) -> pd.DataFrame:
    """Square agreement matrix (A rows, B columns) tallied from paired code labels."""
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    ia = np.array([index[x] for x in a_codes], dtype=np.int64)
    ib = np.array([index[x] for x in b_codes], dtype=np.int64)
    counts = np.bincount(ia * k + ib, minlength=k * k).reshape(k, k)
    return pd.DataFrame(counts, index=pd.Index(labels, name="a"),
                        columns=pd.Index(labels, name="b"))
