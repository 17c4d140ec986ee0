"""Event-aligned agreement by onset tolerance.

Events of the same subject and kind (point or state) are paired across coders when their onsets
lie within ±τ ms (and, for states, when they overlap by at least ``min_overlap`` of the shorter
one). Among all one-to-one pairings the one chosen pairs the most events, then agrees on the
most codes, then has the smallest onset differences: an optimal assignment
(``scipy.optimize.linear_sum_assignment``) on each cluster of events that lie within τ of
each other. Unpaired events go to the ``nil`` row or column of the agreement matrix.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from samspill.core.errors import N_, InputError
from samspill.core.reliability._input import EventArrays
from samspill.core.reliability._pairs import pair_frame, pairs_kappa, pairs_matrix

_FORBIDDEN = 1e9


def match_events(
    a: pd.DataFrame, b: pd.DataFrame, *, tolerance_ms: int, min_overlap: float = 0.0,
    subject: str = "subject", code: str = "code", onset: str = "onset_ms",
    offset: str = "offset_ms",
) -> pd.DataFrame:
    """Pair the events of two codings by onset tolerance.

    Parameters
    ----------
    a, b : DataFrame
        Codings with columns subject, code, onset and offset (missing offset = point).
    tolerance_ms : int
        τ: the largest onset difference, in ms, at which two events can be paired.
    min_overlap : float
        For states, the least overlap as a share (0–1) of the shorter state; 0 asks none.

    Returns
    -------
    DataFrame
        One row per pair or unpaired event: ``subject``, ``kind``, ``a_row`` and ``b_row``
        (row positions in ``a`` and ``b``, <NA> when unpaired), ``code_a`` and ``code_b``
        (``nil`` when unpaired), ``onset_a_ms``, ``onset_b_ms``, ``onset_diff_ms`` (B − A)
        and ``agree`` (paired with the same code). The rows with ``agree`` False are the
        disagreements to show side by side for consensus.
        Pass it to :func:`~samspill.core.reliability.event_matrix`,
        :func:`~samspill.core.reliability.event_kappa` or
        :func:`~samspill.core.reliability.point_summary`.

    References
    ----------
    Bakeman, R., Quera, V., & Gnisci, A. (2009). Observer agreement for timed-event sequential
    data. Behavior Research Methods, 41(1), 137–147 (event-based agreement with a tolerance).
    """
    if isinstance(tolerance_ms, bool) or not isinstance(tolerance_ms, int | np.integer) \
            or tolerance_ms < 0:
        raise InputError(
            N_("tolerance_ms is {tolerance_ms}"),
            fix=N_("give whole ms, 0 or more"),
            params={"tolerance_ms": repr(tolerance_ms)},
        )
    if not 0.0 <= float(min_overlap) <= 1.0:
        raise InputError(
            N_("min_overlap is {min_overlap}"),
            fix=N_("give a share from 0 to 1"),
            params={"min_overlap": repr(min_overlap)},
        )

    def pairer(ea: EventArrays, ra: np.ndarray, eb: EventArrays,
               rb: np.ndarray) -> list[tuple[int, int]]:
        return _match(ea, ra, eb, rb, int(tolerance_ms), float(min_overlap))

    cols = {"subject": subject, "code": code, "onset": onset, "offset": offset}
    return pair_frame((a, b), cols, pairer)


def _match(ea: EventArrays, ra: np.ndarray, eb: EventArrays, rb: np.ndarray, tol: int,
           min_overlap: float) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for ca, cb in _clusters(ea.onset[ra], eb.onset[rb], tol):
        if len(ca) and len(cb):
            pairs += _assign(ea, ra[ca], eb, rb[cb], tol, min_overlap)
    return pairs


def _clusters(on_a: np.ndarray, on_b: np.ndarray,
              tol: int) -> Iterator[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Index groups of A and B whose onsets chain within ``tol``; no pair crosses groups."""
    onsets = np.concatenate([on_a, on_b])
    order = np.argsort(onsets, kind="stable")
    breaks = np.flatnonzero(np.diff(onsets[order]) > tol) + 1
    for part in np.split(order, breaks):
        yield part[part < len(on_a)], part[part >= len(on_a)] - len(on_a)


def _assign(ea: EventArrays, ia: np.ndarray, eb: EventArrays, ib: np.ndarray, tol: int,
            min_overlap: float) -> list[tuple[int, int]]:
    cost = _pair_cost(ea, ia, eb, ib, tol, min_overlap)
    na, nb = cost.shape
    # Leaving an event unpaired costs more than any number of disagreements a pairing could
    # add, so the assignment pairs the most events first (then agrees most, then nearest).
    unpaired = min(na, nb) + 1.0
    full = np.full((na + nb, nb + na), _FORBIDDEN)
    full[:na, :nb] = cost
    full[:na, nb:][np.diag_indices(na)] = unpaired
    full[na:, :nb][np.diag_indices(nb)] = unpaired
    full[na:, nb:] = 0.0
    rows, cols = linear_sum_assignment(full)
    keep = (rows < na) & (cols < nb)
    keep &= full[rows, cols] < _FORBIDDEN
    return [(int(ia[r]), int(ib[c])) for r, c in zip(rows[keep], cols[keep], strict=True)]


def _pair_cost(ea: EventArrays, ia: np.ndarray, eb: EventArrays, ib: np.ndarray, tol: int,
               min_overlap: float) -> np.ndarray:
    """Cost of pairing: 1 for differing codes plus the onset gap, scaled so that the gaps of
    all pairs in the cluster together stay below 1 (they only break ties)."""
    diff = np.abs(ea.onset[ia][:, None] - eb.onset[ib][None, :])
    n_pairs = max(1, min(len(ia), len(ib)))
    cost = (ea.code[ia][:, None] != eb.code[ib][None, :]) + 0.5 * diff / (tol + 1) / n_pairs
    allowed = diff <= tol
    if min_overlap > 0 and not ea.is_point[ia].any():
        start = np.maximum(ea.onset[ia][:, None], eb.onset[ib][None, :])
        stop = np.minimum(ea.offset[ia][:, None], eb.offset[ib][None, :])
        shorter = np.minimum((ea.offset - ea.onset)[ia][:, None], (eb.offset - eb.onset)[ib])
        share = np.where(shorter > 0, np.maximum(stop - start, 0) / np.maximum(shorter, 1), 1.0)
        allowed &= share >= min_overlap
    return np.where(allowed, cost, _FORBIDDEN)


def event_matrix(pairs: pd.DataFrame) -> pd.DataFrame:
    """Agreement matrix of paired events (A rows, B columns, ``nil`` for unpaired events)."""
    return pairs_matrix(pairs)


def event_kappa(pairs: pd.DataFrame) -> pd.DataFrame:
    """Cohen's κ of :func:`event_matrix`: one row with ``n``, ``agreement``, ``chance``,
    ``kappa``. The nil–nil cell is structurally 0, so this κ counts omissions and
    commissions as disagreements (Bakeman, Quera & Gnisci 2009)."""
    return pairs_kappa(pairs)
