"""Lag-sequential analysis of event sequences: what follows what, k events later.

Events of a session, ordered by onset, form a sequence of codes s_1, …, s_n. A lag-k
transition is the pair (s_i, s_{i+k}); the lag-k table counts them, given code (lag 0) in
rows, target code (lag k) in columns, so it holds n − k transitions per session. Pooled
across sessions the tables are summed: transitions never cross from one session into the next.

References
----------
Bakeman, R., & Quera, V. (2011). *Sequential Analysis and Observational Methods for the
Behavioral Sciences*. Cambridge University Press. Ch. 9.
Bakeman, R., & Gottman, J. M. (1997). *Observing Interaction: An Introduction to Sequential
Analysis* (2nd ed.). Cambridge University Press.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np
import pandas as pd

from samspill.core.errors import N_, InputError
from samspill.core.sequential._input import (
    POOLED,
    checked_onsets,
    require_columns,
    session_groups,
)
from samspill.core.sequential.tables import (
    CELL_COLUMNS,
    TABLE_TEST_COLUMNS,
    cell_statistics,
    table_test,
)

LAG_COLUMNS = ["session", "lag", *CELL_COLUMNS]
LAG_TEST_COLUMNS = ["session", "lag", *TABLE_TEST_COLUMNS]


def code_sequences(events: pd.DataFrame, *, session_col: str | None = None,
                   code_col: str = "code", onset_col: str = "onset_ms") -> dict[str, list[str]]:
    """Each session's codes in onset order (ties keep the table's row order).

    Returns a dict session label → list of codes; without ``session_col`` the one session is
    labelled ``"all"``.
    """
    require_columns(events, [session_col, code_col, onset_col], "code_sequences")
    if events[code_col].isna().any():
        raise InputError(
            N_("some events have no code in column '{code_col}'"),
            fix=N_("fill in every code or drop those rows"),
            params={"code_col": str(code_col)},
        )
    out: dict[str, list[str]] = {}
    for label, group in session_groups(events, session_col):
        order = np.argsort(checked_onsets(group, onset_col), kind="stable")
        out[label] = group[code_col].astype(str).to_numpy()[order].tolist()
    return out


def transition_counts(sequence: list[str], *, lag: int, codes: list[str]) -> pd.DataFrame:
    """The lag-``lag`` table of one sequence over ``codes`` (rows given, columns target)."""
    _check_lag(lag)
    index = {code: k for k, code in enumerate(codes)}
    x = np.zeros((len(codes), len(codes)), dtype=np.int64)
    if len(sequence) > lag:
        given = np.array([index[c] for c in sequence[:-lag]])
        target = np.array([index[c] for c in sequence[lag:]])
        np.add.at(x, (given, target), 1)
    return pd.DataFrame(x, index=pd.Index(codes, name="given"),
                        columns=pd.Index(codes, name="target"))


def lag_sequential(events: pd.DataFrame, *, lags: int | Iterable[int] = 1,
                   session_col: str | None = None, code_col: str = "code",
                   onset_col: str = "onset_ms", allow_repeats: bool = True,
                   codes: Collection[str] | None = None) -> pd.DataFrame:
    """Lag-sequential statistics per session and pooled, for each lag asked for.

    Parameters
    ----------
    events : DataFrame
        One row per event; needs ``code_col`` and ``onset_col`` (whole ms) and, when given,
        ``session_col``.
    lags : int or iterable of int
        The lag (``2``) or lags (``range(1, 4)``) to analyse; each ≥ 1.
    session_col : str, optional
        Column keying sessions. Without it the table is one session labelled ``"all"``.
    code_col, onset_col : str
        Columns holding the code and the onset.
    allow_repeats : bool
        False when the coding makes a code following itself impossible (e.g. consecutive
        repeats are merged when the data are prepared): the lag-1 diagonal is then a
        structural zero, and the expected counts and adjusted residuals come from the
        quasi-independence model. It only affects lag 1 (A–B–A is possible at lag 2).
        Observed repeats raise InputError.
    codes : collection of str, optional
        The codes to tabulate, in this order; default: every code seen, sorted.

    Returns
    -------
    DataFrame
        Columns :data:`LAG_COLUMNS`: ``session`` and ``lag``, then one row per
        (given, target) cell with the columns documented in
        :func:`samspill.core.sequential.tables.cell_statistics` (count, totals, expected,
        P(B|A), P(A), P(B), adjusted residual z with its two-sided normal p, and Yule's Q,
        odds ratio and two-sided Fisher exact p of the cell's 2×2 collapse). Rows with
        ``session == "(pooled)"`` hold the statistics of the tables summed over sessions.

    Notes
    -----
    Adjusted residual (Allison & Liker, 1982; Bakeman & Quera, 2011, ch. 9):
    z_AB = (x_AB − e_AB) / sqrt(e_AB (1 − p_A+)(1 − p_+B)), with e_AB = x_A+ x_+B / x_++,
    p_A+ = x_A+ / x_++ and p_+B = x_+B / x_++. Yule's Q = (ad − bc)/(ad + bc) for
    a = x_AB, b = x_A+ − a, c = x_+B − a, d = x_++ − a − b − c.

    Examples
    --------
    >>> frame = pd.DataFrame({"code": list("ABABBA"), "onset_ms": range(6)})
    >>> out = lag_sequential(frame)
    >>> out.loc[(out.session == "all") & (out.given == "A") & (out.target == "B"), "count"]
    1    2.0
    Name: count, dtype: float64
    """
    lag_list = _lag_list(lags)
    sequences = code_sequences(events, session_col=session_col, code_col=code_col,
                               onset_col=onset_col)
    code_list = _code_list(sequences, codes)
    frames = [_one_lag(sequences, lag, code_list, allow_repeats) for lag in lag_list]
    return pd.concat(frames, ignore_index=True)[LAG_COLUMNS]


def _one_lag(sequences: dict[str, list[str]], lag: int, codes: list[str],
             allow_repeats: bool) -> pd.DataFrame:
    tables, zeros = _lag_tables(sequences, lag, codes, allow_repeats)
    frames = [cell_statistics(t, structural_zeros=zeros).assign(session=label, lag=lag)
              for label, t in tables.items()]
    return pd.concat(frames, ignore_index=True)


def _lag_tables(sequences: dict[str, list[str]], lag: int, codes: list[str],
                allow_repeats: bool) -> tuple[dict[str, pd.DataFrame], pd.DataFrame | None]:
    """Each session's lag table, then the pooled one; and the structural zeros if any."""
    zeros = None
    if lag == 1 and not allow_repeats:
        zeros = pd.DataFrame(np.eye(len(codes), dtype=bool), index=codes, columns=codes)
    tables = {label: transition_counts(seq, lag=lag, codes=codes)
              for label, seq in sequences.items()}
    if zeros is not None:
        _refuse_repeats(tables)
    tables[POOLED] = sum(tables.values(), start=pd.DataFrame(0, index=codes, columns=codes))
    return tables, zeros


def lag_table_tests(events: pd.DataFrame, *, lags: int | Iterable[int] = 1,
                    session_col: str | None = None, code_col: str = "code",
                    onset_col: str = "onset_ms", allow_repeats: bool = True,
                    codes: Collection[str] | None = None) -> pd.DataFrame:
    """Tablewise χ² and G² tests of each lag table, per session and pooled.

    Parameters are those of :func:`lag_sequential`. Returns one row per session (then
    ``"(pooled)"``) and lag, columns :data:`LAG_TEST_COLUMNS`: ``n`` transitions, ``df``,
    Pearson ``chi2`` and likelihood-ratio ``g2`` with their p-values, as documented in
    :func:`samspill.core.sequential.tables.table_test`. Look at the cells' adjusted
    residuals only when the table as a whole departs from independence.
    """
    sequences = code_sequences(events, session_col=session_col, code_col=code_col,
                               onset_col=onset_col)
    code_list = _code_list(sequences, codes)
    rows = []
    for lag in _lag_list(lags):
        tables, zeros = _lag_tables(sequences, lag, code_list, allow_repeats)
        rows += [{"session": label, "lag": lag} | table_test(t, structural_zeros=zeros)
                 for label, t in tables.items()]
    return pd.DataFrame(rows, columns=LAG_TEST_COLUMNS)


def _refuse_repeats(tables: dict[str, pd.DataFrame]) -> None:
    for label, table in tables.items():
        repeats = [c for c in table.index if table.loc[c, c] > 0]
        if repeats:
            raise InputError(
                N_("session '{label}' has codes that follow themselves ({repeats}) although "
                   "allow_repeats is False"),
                fix=N_("set allow_repeats=True, or merge consecutive repeats first"),
                params={"label": str(label), "repeats": ', '.join(repeats)},
            )


def _lag_list(lags: int | Iterable[int]) -> list[int]:
    out = list(lags) if isinstance(lags, Iterable) and not isinstance(lags, str) else [lags]
    if not out:
        raise InputError(
            N_("no lag asked for"),
            fix=N_("give a lag ≥ 1, e.g. lags=1"),
        )
    for lag in out:
        _check_lag(lag)
    return [int(lag) for lag in out]


def _check_lag(lag: object) -> None:
    if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or lag < 1:
        raise InputError(
            N_("lag {lag} is not a whole number ≥ 1"),
            fix=N_("give lags such as 1 or 2"),
            params={"lag": repr(lag)},
        )


def _code_list(sequences: dict[str, list[str]], codes: Collection[str] | None) -> list[str]:
    seen = sorted({c for seq in sequences.values() for c in seq})
    if codes is None:
        if not seen:
            raise InputError(
                N_("there are no events to analyse"),
                fix=N_("give at least two events"),
            )
        return seen
    wanted = list(dict.fromkeys(codes))
    unknown = sorted(set(seen) - set(wanted))
    if unknown:
        raise InputError(
            N_("the events hold codes not listed in codes: {unknown}"),
            fix=N_("add them to codes, or filter the events first"),
            params={"unknown": ', '.join(unknown)},
        )
    return wanted
