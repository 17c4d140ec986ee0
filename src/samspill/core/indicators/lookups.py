"""Windowed look-ups in sorted event times, for every coding of a batch at once: the first
target within a window after each query, each unit's answer under the rule that an answer
coded just before a unit cannot also answer the unit before it, and whether a time lies inside
a state. Targets are sorted by (coding, time) and searched on one key, ``coding × stride +
time``, so a batch of 100,000 codings is one ``searchsorted``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samspill.core.arrays import BoolArray, Int64Array
from samspill.core.intervals import coding_order


def first_within(query_coding: np.ndarray, query_time: np.ndarray, target_coding: np.ndarray,
                 target_time: np.ndarray, window_ms: float, stride: int) -> np.ndarray:
    """Index of the first target at or after each query time, at most ``window_ms`` later.

    Targets must be sorted by (coding, time). ``-1`` where there is none.
    """
    return first_in_window(query_coding, query_time, query_time + window_ms, target_coding,
                           target_time, stride)


def first_in_window(query_coding: np.ndarray, low: np.ndarray, high: np.ndarray,
                    target_coding: np.ndarray, target_time: np.ndarray,
                    stride: int) -> np.ndarray:
    """Index of the first target with ``low <= time <= high`` in the query's coding, else -1.

    Targets must be sorted by (coding, time); ``low`` may lie before the query's own time
    (a tolerance for coders' timing).
    """
    if not len(target_time):
        return np.full(len(low), -1, dtype="int64")
    return _first_in_keys(query_coding, low, high, target_coding * stride + target_time,
                          target_coding, target_time, stride)


def _first_in_keys(query_coding: np.ndarray, low: np.ndarray, high: np.ndarray,
                   keys: np.ndarray, target_coding: np.ndarray, target_time: np.ndarray,
                   stride: int) -> np.ndarray:
    """:func:`first_in_window` with the targets' keys (``coding * stride + time``) given."""
    idx = np.searchsorted(keys, query_coding * stride + low, side="left")
    safe = np.minimum(idx, len(keys) - 1)
    ok = ((idx < len(keys)) & (target_coding[safe] == query_coding)
          & (target_time[safe] <= high))
    return np.where(ok, safe, -1)


def first_answers(coding: np.ndarray, time: np.ndarray, high: np.ndarray,
                  target_coding: np.ndarray, target_time: np.ndarray, tolerance_ms: int,
                  stride: int, max_rounds: int = 64) -> np.ndarray:
    """Each unit's answer: the first target from ``tolerance_ms`` before it up to ``high``,
    but never the answer of an earlier unit when that answer came before this one.

    One answer after several bids answers them all; but an answer coded just before a bid
    (the tolerance is for coders' timing) cannot also be the answer of the bid before, or a
    late answer to the first bid of a run would count as an instant answer to the second.
    Units at the same instant share. Targets must be sorted by (coding, time). The rule runs
    along each coding's units; it is solved by repeating a vectorised pass until nothing
    changes. Each pass looks again only at the units right after one whose answer the last
    pass changed, and searches again only for those whose window it moves.
    """
    if not len(target_time):
        return np.full(len(time), -1, dtype="int64")
    order = coding_order(coding, time, stride)
    c, t, h = coding[order], time[order], high[order]
    # For each unit, the last unit of its coding at a strictly earlier time (-1: none).
    new_instant = np.ones(len(t), dtype=bool)
    new_instant[1:] = (c[1:] != c[:-1]) | (t[1:] != t[:-1])
    run_start = np.maximum.accumulate(np.where(new_instant, np.arange(len(t)), 0))
    before = run_start - 1
    has_before = (before >= 0) & (c[np.maximum(before, 0)] == c) if len(t) else new_instant
    before = np.maximum(before, 0)
    low = t - tolerance_ms
    keys = target_coding * stride + target_time
    first = _first_in_keys(c, low, h, keys, target_coding, target_time, stride)
    hit = first.copy()
    rows = np.flatnonzero(has_before)  # the units an earlier answer may concern
    for _ in range(max_rounds):
        prev = hit[before[rows]]
        prev_time = np.where(prev >= 0, target_time[np.maximum(prev, 0)], -1)
        new_low = np.minimum(np.maximum(low[rows], prev_time + 1), t[rows])
        moved = (prev_time >= 0) & (prev_time < t[rows]) & (new_low != low[rows])
        value = first[rows]  # a unit whose window is as at first keeps its first answer
        if moved.any():
            at = rows[moved]
            value[moved] = _first_in_keys(c[at], new_low[moved], h[at], keys, target_coding,
                                          target_time, stride)
        changed = rows[value != hit[rows]]
        if not len(changed):
            break
        hit[rows] = value
        # Next round, only the units right after one whose answer changed can change.
        after_changed = np.zeros(len(t), dtype=bool)
        after_changed[changed] = True
        rows = np.flatnonzero(has_before & after_changed[before])
    out = np.empty_like(hit)
    out[order] = hit
    return out


def inside_states(query_coding: Int64Array, query_time: Int64Array, states: pd.DataFrame,
                  stride: int) -> BoolArray:
    """Whether each time lies inside one of ``states`` (non-overlapping per coding)."""
    if not len(states):
        return np.zeros(len(query_time), dtype=bool)
    states = states.sort_values(["coding", "onset_ms"])
    coding: Int64Array = states["coding"].to_numpy()
    keys = coding * stride + states["onset_ms"].to_numpy()
    idx = np.searchsorted(keys, query_coding * stride + query_time, side="right") - 1
    safe = np.clip(idx, 0, None)
    same_coding: BoolArray = coding[safe] == query_coding  # numpy types ``==`` as Any
    return (idx >= 0) & same_coding & (query_time < states["offset_ms"].to_numpy()[safe])
