"""Pairwise agreement among N coders: every pair, as a long table and as a square matrix."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np
import pandas as pd

from samspill.core.errors import N_, InputError
from samspill.core.reliability._input import require_columns

Statistic = Callable[[pd.DataFrame, pd.DataFrame], float]


def pairwise(frame: pd.DataFrame, *, coder: str, statistic: Statistic) -> pd.DataFrame:
    """Apply a two-coder statistic to every pair of coders.

    Parameters
    ----------
    frame : DataFrame
        Rows of all coders (events or ratings), with a ``coder`` column naming who coded each.
    statistic : callable
        ``statistic(rows_of_a, rows_of_b) -> float``, e.g.
        ``lambda a, b: time_unit_kappa(a, b, unit_ms=1000)["kappa"].iloc[-1]``.

    Returns
    -------
    DataFrame
        One row per unordered pair: ``coder_a``, ``coder_b``, ``value``, coders in sort order.
    """
    require_columns(frame, [coder], name="coder table")
    names = sorted(frame[coder].unique(), key=str)
    if len(names) < 2:
        raise InputError(
            N_("only {count} coder(s) in column {coder}"),
            fix=N_("give the rows of two or more coders"),
            params={"count": len(names), "coder": repr(coder)},
        )
    parts = {name: frame[frame[coder] == name].drop(columns=coder) for name in names}
    rows = [(x, y, float(statistic(parts[x], parts[y]))) for x, y in combinations(names, 2)]
    return pd.DataFrame(rows, columns=["coder_a", "coder_b", "value"])


def pairwise_matrix(frame: pd.DataFrame, *, coder: str, statistic: Statistic) -> pd.DataFrame:
    """The pairwise statistic as a symmetric coders × coders matrix (NaN on the diagonal).

    Symmetry assumes the statistic does not depend on which coder is A, as for untolerated κ,
    ICC and α; for a reference-dependent statistic use :func:`pairwise` and read the rows.
    """
    long = pairwise(frame, coder=coder, statistic=statistic)
    names = sorted(set(long["coder_a"]) | set(long["coder_b"]), key=str)
    out = pd.DataFrame(np.nan, index=pd.Index(names, name="coder"),
                       columns=pd.Index(names, name="coder"))
    for x, y, value in long.itertuples(index=False):
        out.loc[x, y] = out.loc[y, x] = value
    return out
