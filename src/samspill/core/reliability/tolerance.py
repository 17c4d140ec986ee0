"""Time-unit κ with a time tolerance, as in GSEQ (Bakeman, Quera & Gnisci 2009).

With tolerance τ (a whole number of units w = τ/Δ), a unit where A coded c and B coded something
else counts as an agreement on c when B coded c in any unit within ±w of it. Outside the coded
time both coders count as ``nil``. Coder A is then the reference; the result differs when B is,
so both are reported, with their mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samspill.core.arrays import BoolArray, Int64Array
from samspill.core.errors import N_, InputError
from samspill.core.reliability.kappa import kappa_from_counts
from samspill.core.reliability.timeunit import POOLED, UnitCodes, unit_codes

TOLERANCE_COLUMNS = ["subject", "set", "units", "kappa", "kappa_a_reference",
                     "kappa_b_reference", "kappa_mean"]


def tolerance_units(tolerance_ms: int, unit_ms: int) -> int:
    """τ in whole units; :class:`InputError` unless τ ≥ 0 is a multiple of Δ."""
    if isinstance(tolerance_ms, bool) or not isinstance(tolerance_ms, int | np.integer) \
            or tolerance_ms < 0 or tolerance_ms % unit_ms:
        raise InputError(
            N_("tolerance {tolerance_ms} ms is not a whole number of {unit_ms} ms units"),
            fix=N_("give a tolerance of 0, {unit_ms}, {value}, … ms"),
            params={
                "tolerance_ms": repr(tolerance_ms),
                "unit_ms": str(unit_ms),
                "value": str(2 * unit_ms),
            },
        )
    return int(tolerance_ms // unit_ms)


def _nearby(seq: np.ndarray, label: int, width: int) -> BoolArray:
    """For each unit, whether ``seq`` holds ``label`` within ±width units (nil outside)."""
    padded = np.pad(seq == label, width, constant_values=(label == 0))
    cum: Int64Array = np.concatenate([[0], np.cumsum(padded)])
    n = len(seq)
    return (cum[2 * width + 1: 2 * width + 1 + n] - cum[:n]) > 0


def tolerated(reference: np.ndarray, other: np.ndarray, width: int) -> np.ndarray:
    """``other`` with each disagreement moved onto the reference code when ``other`` has that
    code within ±width units (one key's unit sequences of label indices)."""
    out = other.copy()
    differ = reference != other
    for label in np.unique(reference[differ]) if width else []:
        hit = differ & (reference == label) & _nearby(other, int(label), width)
        out[hit] = label
    return out


def tolerant_tables(codes: UnitCodes, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-key tables (keys, K, K) with A as reference, and with B as reference."""
    k = len(codes.labels)
    as_ref, bs_ref = np.zeros((2, len(codes.keys), k, k), dtype=np.int64)
    for i in range(len(codes.keys)):
        a, b = codes.a[i], codes.b[i]
        b_moved = tolerated(a, b, width)
        a_moved = tolerated(b, a, width)
        as_ref[i] = np.bincount(a * k + b_moved, minlength=k * k).reshape(k, k)
        bs_ref[i] = np.bincount(a_moved * k + b, minlength=k * k).reshape(k, k)
    return as_ref, bs_ref


def time_unit_kappa_tolerance(
    a: pd.DataFrame, b: pd.DataFrame, *, unit_ms: int, tolerance_ms: int,
    subject: str = "subject", code: str = "code", onset: str = "onset_ms",
    offset: str = "offset_ms", end_ms: int | None = None,
) -> pd.DataFrame:
    """Time-unit κ with tolerance, each coder as reference, per subject and set, and pooled.

    Parameters
    ----------
    a, b : DataFrame
        The two codings; columns as in :func:`~samspill.core.reliability.timeunit.time_unit_kappa`.
    unit_ms : int
        Δ in ms.
    tolerance_ms : int
        τ in ms, a whole multiple of Δ (0 gives the untolerated κ three times).

    Returns
    -------
    DataFrame
        One row per (subject, set) and a pooled row (subject = set = "all"), columns
        ``units``, ``kappa`` (without tolerance), ``kappa_a_reference`` (A as reference),
        ``kappa_b_reference`` (B as reference) and ``kappa_mean`` (their mean). Tolerance
        forgives small timing differences at code boundaries, so the tolerated κ is at least
        as high; a large gap between κ and tolerated κ says the coders agree on what happened
        but not exactly when.

    References
    ----------
    Bakeman, R., Quera, V., & Gnisci, A. (2009). Observer agreement for timed-event sequential
    data. Behavior Research Methods, 41(1), 137–147 (the tolerance option of GSEQ).
    """
    codes = unit_codes(a, b, unit_ms=unit_ms, subject=subject, code=code, onset=onset,
                       offset=offset, end_ms=end_ms)
    width = tolerance_units(tolerance_ms, codes.unit_ms)
    plain = codes.tables()
    as_ref, bs_ref = tolerant_tables(codes, width)
    rows = []
    keys = [*codes.keys, (POOLED, POOLED)]
    stacks = [np.concatenate([t, t.sum(axis=0)[None]]) for t in (plain, as_ref, bs_ref)]
    for key, p, ar, br in zip(keys, *stacks, strict=True):
        ka, kb = kappa_from_counts(ar)[0], kappa_from_counts(br)[0]
        rows.append((*key, int(p.sum()), kappa_from_counts(p)[0], ka, kb, (ka + kb) / 2))
    return pd.DataFrame(rows, columns=TOLERANCE_COLUMNS)
