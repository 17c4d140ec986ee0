"""Time-unit agreement for timed-event data (Bakeman, Quera & Gnisci 2009).

Time is cut into units of Δ ms from 0 to the end of the later of the two codings. Unit k covers
[kΔ, (k+1)Δ); a state applies to unit k when onset ≤ kΔ < offset. Each subject's states form one
mutually exclusive and exhaustive set with ``nil`` for "nothing coded"; its point events form a
second set (the point's code in the unit that holds it, ``nil`` elsewhere; when one unit holds
several points of a subject, the earliest counts, so choose Δ small enough to separate them).
One table is tallied per subject and set; the pooled table sums them, matched by code label.

Event tables need the columns ``subject, code, onset_ms, offset_ms`` (names set by keyword);
a missing offset marks a point event. Everything is vectorised with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samspill.core.errors import N_, EventError, InputError
from samspill.core.reliability._input import NIL, EventArrays, event_arrays, require_positive_int
from samspill.core.reliability.kappa import kappa_from_counts

POOLED = "all"
KAPPA_COLUMNS = ["subject", "set", "units", "agreement", "chance", "kappa"]


@dataclass(frozen=True)
class UnitCodes:
    """Both coders' code per unit: ``a[i, k]`` indexes ``labels`` for key i, unit k (0 = nil)."""

    labels: list[str]
    keys: list[tuple[str, str]]
    a: np.ndarray
    b: np.ndarray
    unit_ms: int

    @property
    def n_units(self) -> int:
        return int(self.a.shape[1])

    def tables(self) -> np.ndarray:
        """Counts per key, shape (keys, K, K): A's code in rows, B's in columns."""
        k = len(self.labels)
        flat = (np.arange(len(self.keys))[:, None] * k + self.a) * k + self.b
        counts = np.bincount(flat.ravel(), minlength=len(self.keys) * k * k)
        return counts.reshape(len(self.keys), k, k)


def unit_codes(
    a: pd.DataFrame, b: pd.DataFrame, *, unit_ms: int, subject: str = "subject",
    code: str = "code", onset: str = "onset_ms", offset: str = "offset_ms",
    end_ms: int | None = None,
) -> UnitCodes:
    """Both codings as unit-by-unit code indices (see the module text for the rules)."""
    unit_ms = require_positive_int(unit_ms, name="unit_ms")
    cols = {"subject": subject, "code": code, "onset": onset, "offset": offset}
    ea = event_arrays(a, **cols, name="coding A")
    eb = event_arrays(b, **cols, name="coding B")
    end = max(ea.end_ms(), eb.end_ms())
    if end_ms is not None:
        if require_positive_int(end_ms, name="end_ms") < end:
            raise InputError(
                N_("end_ms {end_ms} lies before the last coded time {end} ms"),
                fix=N_("give an end_ms at or after the end of both codings"),
                params={"end_ms": str(end_ms), "end": str(end)},
            )
        end = end_ms
    n = -(-end // unit_ms)
    labels = [NIL, *sorted(set(ea.code) | set(eb.code))]
    keys = _keys(ea, eb)
    rows_a = [_fill(ea, key, labels, n, unit_ms, "coding A") for key in keys]
    rows_b = [_fill(eb, key, labels, n, unit_ms, "coding B") for key in keys]
    shape = (len(keys), n)
    a_arr = np.array(rows_a, dtype=np.int64).reshape(shape)
    b_arr = np.array(rows_b, dtype=np.int64).reshape(shape)
    return UnitCodes(labels, keys, a_arr, b_arr, unit_ms)


def _keys(ea: EventArrays, eb: EventArrays) -> list[tuple[str, str]]:
    keys = set()
    for ev in (ea, eb):
        for kind, mask in (("state", ~ev.is_point), ("point", ev.is_point)):
            keys |= {(s, kind) for s in set(ev.subject[mask])}
    return sorted(keys)


def _fill(ev: EventArrays, key: tuple[str, str], labels: list[str], n: int, unit_ms: int,
          name: str) -> np.ndarray:
    subject, kind = key
    mask = (ev.subject == subject) & (ev.is_point == (kind == "point"))
    order = np.argsort(ev.onset[mask], kind="stable")
    onset, offset = ev.onset[mask][order], ev.offset[mask][order]
    ids = np.searchsorted(labels[1:], ev.code[mask][order]) + 1
    out = np.zeros(n, dtype=np.int64)
    if kind == "point":
        units, first = np.unique(onset // unit_ms, return_index=True)
        out[units] = ids[first]
        return out
    _check_exclusive(onset, offset, subject, name)
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, -(-onset // unit_ms), ids)
    np.add.at(delta, -(-offset // unit_ms), -ids)
    return np.cumsum(delta[:n])


def _check_exclusive(onset: np.ndarray, offset: np.ndarray, subject: str, name: str) -> None:
    clash = np.flatnonzero(onset[1:] < offset[:-1])
    if len(clash):
        i = int(clash[0])
        raise EventError(
            N_("two states of {subject} overlap in {name}: one runs {value}–{value2} ms, the "
               "next starts at {value3} ms"),
            fix=N_("time-unit κ needs one state at a time per subject: end the first state "
                   "earlier, or give concurrent states (other exclusive groups) their own "
                   "subject label"),
            where=name,
            params={
                "subject": str(subject),
                "name": str(name),
                "value": str(onset[i]),
                "value2": str(offset[i]),
                "value3": str(onset[i + 1]),
            },
        )


def _kappa_rows(tables: np.ndarray, keys: list[tuple[str, str]]) -> pd.DataFrame:
    rows = []
    for (subject, kind), table in [*zip(keys, tables, strict=True),
                                   ((POOLED, POOLED), tables.sum(axis=0))]:
        k, p_o, p_e = kappa_from_counts(table)
        rows.append((subject, kind, int(table.sum()), p_o, p_e, k))
    return pd.DataFrame(rows, columns=KAPPA_COLUMNS)


def time_unit_kappa(
    a: pd.DataFrame, b: pd.DataFrame, *, unit_ms: int, subject: str = "subject",
    code: str = "code", onset: str = "onset_ms", offset: str = "offset_ms",
    end_ms: int | None = None,
) -> pd.DataFrame:
    """Time-unit Cohen's κ per subject and set, and pooled.

    Parameters
    ----------
    a, b : DataFrame
        The two codings (coder A, coder B); see the module text for the columns.
    unit_ms : int
        Δ, the unit length in ms (1000 and 100 are common).
    subject, code, onset, offset : str
        Column names.
    end_ms : int, optional
        End of the observed time, when the session runs past the last coded event; units of
        "nothing coded" up to it count as agreement on ``nil``.

    Returns
    -------
    DataFrame
        One row per (subject, set) with ``set`` in {"state", "point"}, then a row with
        subject = set = "all" for the pooled table (the sum of the others). Columns ``units``
        (tallies), ``agreement`` (p_o), ``chance`` (p_e) and ``kappa`` = (p_o − p_e)/(1 − p_e).
        κ reads as Cohen's κ; Bakeman et al. (2009) note that it depends on Δ and on how
        often and how long the codes occur, so report Δ with it.

    References
    ----------
    Bakeman, R., Quera, V., & Gnisci, A. (2009). Observer agreement for timed-event sequential
    data: A comparison of time-based and event-based algorithms. Behavior Research Methods,
    41(1), 137–147.
    """
    codes = unit_codes(a, b, unit_ms=unit_ms, subject=subject, code=code, onset=onset,
                       offset=offset, end_ms=end_ms)
    return _kappa_rows(codes.tables(), codes.keys)


def confusion_matrix(
    a: pd.DataFrame, b: pd.DataFrame, *, unit_ms: int, subject: str = "subject",
    code: str = "code", onset: str = "onset_ms", offset: str = "offset_ms",
    end_ms: int | None = None,
) -> pd.DataFrame:
    """The pooled time-unit agreement matrix.

    Returns
    -------
    DataFrame
        Square counts of units: index ``a`` (coder A's code), columns ``b`` (coder B's code),
        ``nil`` first, then the codes in sort order. The diagonal holds agreements; ``nil`` row
        cells are units only B coded, ``nil`` column cells units only A coded.
    """
    codes = unit_codes(a, b, unit_ms=unit_ms, subject=subject, code=code, onset=onset,
                       offset=offset, end_ms=end_ms)
    return _matrix(codes.tables().sum(axis=0), codes.labels)


def _matrix(counts: np.ndarray, labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame(counts, index=pd.Index(labels, name="a"),
                        columns=pd.Index(labels, name="b"))


def per_code_kappa_units(
    a: pd.DataFrame, b: pd.DataFrame, *, unit_ms: int, subject: str = "subject",
    code: str = "code", onset: str = "onset_ms", offset: str = "offset_ms",
    end_ms: int | None = None,
) -> pd.DataFrame:
    """Time-unit κ per code from its 2×2 present/absent table.

    The 2×2 tables are tallied in each (subject, set) where the code occurs and summed.

    Returns
    -------
    DataFrame
        One row per code: ``code``, ``a`` (units A coded it), ``b`` (units B coded it),
        ``both``, ``units`` (units in the sets where it occurs) and ``kappa``.
    """
    codes = unit_codes(a, b, unit_ms=unit_ms, subject=subject, code=code, onset=onset,
                       offset=offset, end_ms=end_ms)
    tables = codes.tables()
    diag = np.einsum("kii->ki", tables)
    rows, cols = tables.sum(axis=2), tables.sum(axis=1)
    present = (rows + cols) > 0
    units = tables.sum(axis=(1, 2))[:, None] * present
    out = []
    for i, label in enumerate(codes.labels[1:], start=1):
        both, ra, cb, n = (int(x[:, i].sum()) for x in (diag * present, rows, cols, units))
        two = np.array([[both, ra - both], [cb - both, n - ra - cb + both]])
        out.append((label, ra, cb, both, n, kappa_from_counts(two)[0]))
    return pd.DataFrame(out, columns=["code", "a", "b", "both", "units", "kappa"])


def agreement_timeline(
    a: pd.DataFrame, b: pd.DataFrame, *, unit_ms: int, subject: str = "subject",
    code: str = "code", onset: str = "onset_ms", offset: str = "offset_ms",
    end_ms: int | None = None,
) -> pd.DataFrame:
    """Unit-by-unit codes of both coders, for plotting where they differ.

    Returns
    -------
    DataFrame
        One row per subject, set and unit: ``subject``, ``set``, ``unit``, ``start_ms``
        (kΔ), ``code_a``, ``code_b`` and ``disagree`` (True where the codes differ).
    """
    codes = unit_codes(a, b, unit_ms=unit_ms, subject=subject, code=code, onset=onset,
                       offset=offset, end_ms=end_ms)
    n, labels = codes.n_units, np.array(codes.labels, dtype=object)
    units = np.tile(np.arange(n), len(codes.keys))
    return pd.DataFrame({
        "subject": np.repeat([k[0] for k in codes.keys], n),
        "set": np.repeat([k[1] for k in codes.keys], n),
        "unit": units,
        "start_ms": units * codes.unit_ms,
        "code_a": labels[codes.a.ravel()],
        "code_b": labels[codes.b.ravel()],
        "disagree": codes.a.ravel() != codes.b.ravel(),
    })
