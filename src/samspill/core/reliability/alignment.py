"""Dynamic-programming alignment of two event sequences (Quera, Bakeman & Gnisci 2007).

Each subject's events of one kind, ordered by onset, are aligned as in the Needleman–Wunsch /
Levenshtein algorithm: aligning two equal codes costs 0, two different codes ``substitution``
(1), and leaving an event unaligned (an omission or commission, a ``nil`` cell) ``gap`` (1).
The alignment with the least total cost is kept; on ties, a pairing is preferred to a gap.
With ``tolerance_ms`` set, events whose onsets differ by more may not be aligned together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samspill.core.errors import N_, InputError
from samspill.core.reliability._input import EventArrays
from samspill.core.reliability._pairs import pair_frame


def align_events(
    a: pd.DataFrame, b: pd.DataFrame, *, substitution: float = 1.0, gap: float = 1.0,
    tolerance_ms: int | None = None, subject: str = "subject", code: str = "code",
    onset: str = "onset_ms", offset: str = "offset_ms",
) -> pd.DataFrame:
    """Align the event sequences of two codings per subject and kind.

    Parameters
    ----------
    a, b : DataFrame
        Codings with columns subject, code, onset and offset (missing offset = point).
    substitution, gap : float
        Costs of aligning two different codes and of an unaligned event (both > 0).
    tolerance_ms : int, optional
        When given, events with onsets further apart cannot be aligned together.

    Returns
    -------
    DataFrame
        The same columns as :func:`~samspill.core.reliability.match_events`; use
        :func:`~samspill.core.reliability.event_matrix` and
        :func:`~samspill.core.reliability.event_kappa` on it. The total cost divided by the
        longer sequence is a normalised Levenshtein distance.

    References
    ----------
    Quera, V., Bakeman, R., & Gnisci, A. (2007). Observer agreement for event sequences:
    Methods and software for sequence alignment and reliability estimates. Behavior Research
    Methods, 39(1), 39–49.
    Needleman, S. B., & Wunsch, C. D. (1970). J. Molecular Biology, 48(3), 443–453.
    """
    if not (substitution > 0 and gap > 0):
        raise InputError(
            N_("costs substitution={substitution}, gap={gap}"),
            fix=N_("give both costs above 0"),
            params={"substitution": repr(substitution), "gap": repr(gap)},
        )
    if tolerance_ms is not None and (not isinstance(tolerance_ms, int) or tolerance_ms < 0):
        raise InputError(
            N_("tolerance_ms is {tolerance_ms}"),
            fix=N_("give whole ms, 0 or more"),
            params={"tolerance_ms": repr(tolerance_ms)},
        )

    def pairer(ea: EventArrays, ra: np.ndarray, eb: EventArrays,
               rb: np.ndarray) -> list[tuple[int, int]]:
        cost = np.where(ea.code[ra][:, None] == eb.code[rb][None, :], 0.0, float(substitution))
        if tolerance_ms is not None:
            far = np.abs(ea.onset[ra][:, None] - eb.onset[rb][None, :]) > tolerance_ms
            cost[far] = np.inf
        return [(int(ra[i]), int(rb[j])) for i, j in align_costs(cost, float(gap))[1]]

    cols = {"subject": subject, "code": code, "onset": onset, "offset": offset}
    return pair_frame((a, b), cols, pairer)


def align_costs(cost: np.ndarray, gap: float) -> tuple[float, list[tuple[int, int]]]:
    """Least total cost of aligning sequences with pair costs ``cost`` (n × m) and the
    aligned index pairs. Each DP row is computed at once: with a constant gap cost,
    D[i, j] = g·j + cummin_k≤j (V[k] − g·k), V the best of the diagonal and upper moves."""
    n, m = cost.shape
    table = np.empty((n + 1, m + 1))
    table[0] = gap * np.arange(m + 1)
    steps = gap * np.arange(m + 1)
    for i in range(1, n + 1):
        upper = np.empty(m + 1)
        upper[0] = table[i - 1, 0] + gap
        upper[1:] = np.minimum(table[i - 1, :-1] + cost[i - 1], table[i - 1, 1:] + gap)
        table[i] = steps + np.minimum.accumulate(upper - steps)
    return float(table[n, m]), _trace(table, cost, gap)


def _trace(table: np.ndarray, cost: np.ndarray, gap: float) -> list[tuple[int, int]]:
    i, j = cost.shape
    pairs: list[tuple[int, int]] = []
    while i > 0 and j > 0:
        if np.isclose(table[i, j], table[i - 1, j - 1] + cost[i - 1, j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif np.isclose(table[i, j], table[i - 1, j] + gap):
            i -= 1
        else:
            j -= 1
    return pairs[::-1]
