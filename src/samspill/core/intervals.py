"""Sets of time intervals for many codings at once: union, intersection, difference, measure.

An :class:`IntervalSet` holds half-open intervals ``[start, end)`` in ms, each tagged with the
integer ``coding`` it belongs to. A *normal* set is sorted by (coding, start) and holds no two
intervals that overlap or touch; every function here returns a normal set and expects normal
sets as input unless it says otherwise. Lookups are vectorised over the whole batch with keys
``coding * stride + time``, where ``stride`` exceeds every time (as in the timeline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samspill.core.arrays import Int64Array

_EMPTY = np.array([], dtype="int64")


@dataclass(frozen=True)
class IntervalSet:
    """Intervals ``[start, end)`` per coding, as aligned int64 arrays."""

    coding: Int64Array
    start: Int64Array
    end: Int64Array

    def __len__(self) -> int:
        return len(self.start)

    @classmethod
    def empty(cls) -> IntervalSet:
        return cls(_EMPTY, _EMPTY, _EMPTY)

    @property
    def length(self) -> Int64Array:
        return self.end - self.start


def coding_order(coding: np.ndarray, time: np.ndarray, stride: int) -> Int64Array:
    """``np.lexsort((time, coding))``: the rows by coding, then time, ties in their order.

    When every time lies in ``[0, stride)`` by one stable sort of the keys
    ``coding * stride + time``, which merges runs already in order (the rows mostly come
    as one or two sorted lists) in about one pass instead of sorting them again."""
    if len(time) and (time.min() < 0 or time.max() >= stride or coding.min() < 0
                      or (int(coding.max()) + 1) * stride >= 2**62):  # keys would overflow
        found: Int64Array = np.lexsort((time, coding))
        return found
    return np.argsort(coding * stride + time, kind="stable")


def normalise(coding: Int64Array, start: Int64Array, end: Int64Array,
              stride: int) -> IntervalSet:
    """The union of any intervals as a normal set (overlapping or touching ones merge)."""
    coding, start, end = (np.asarray(a, dtype="int64") for a in (coding, start, end))
    keep = end > start
    coding, start, end = coding[keep], start[keep], end[keep]
    if not len(start):
        return IntervalSet.empty()
    order = coding_order(coding, start, stride)
    coding, start, end = coding[order], start[order], end[order]
    key_start, key_end = coding * stride + start, coding * stride + end
    reach = np.maximum.accumulate(key_end)
    new = np.ones(len(start), dtype=bool)
    new[1:] = key_start[1:] > reach[:-1]
    first = np.flatnonzero(new)
    last_reach = np.maximum.reduceat(key_end, first)
    out_coding = coding[first]
    return IntervalSet(out_coding, start[first], last_reach - out_coding * stride)


def union(a: IntervalSet, b: IntervalSet, stride: int) -> IntervalSet:
    return normalise(np.concatenate([a.coding, b.coding]), np.concatenate([a.start, b.start]),
                     np.concatenate([a.end, b.end]), stride)


def intersect(a: IntervalSet, b: IntervalSet, stride: int) -> IntervalSet:
    """Where both sets hold; ``b`` must be normal, ``a`` may overlap itself (then so may the
    result)."""
    row, start, end = pieces_within(a, b, stride)
    return IntervalSet(a.coding[row], start, end)


def pieces_within(a: IntervalSet, b: IntervalSet, stride: int
                  ) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Each interval of ``a`` cut to the parts inside ``b`` (normal): (row of ``a``, start,
    end) per non-empty piece, in the order of ``a``."""
    if not len(a) or not len(b):
        return _EMPTY, _EMPTY, _EMPTY
    b_start, b_end = b.coding * stride + b.start, b.coding * stride + b.end
    first = np.searchsorted(b_end, a.coding * stride + a.start, side="right")
    last = np.searchsorted(b_start, a.coding * stride + a.end, side="left") - 1
    count = np.clip(last - first + 1, 0, None)
    row = np.repeat(np.arange(len(a)), count)
    piece = np.repeat(first, count) + (np.arange(int(count.sum()))
                                       - np.repeat(np.cumsum(count) - count, count))
    start = np.maximum(a.start[row], b.start[piece])
    end = np.minimum(a.end[row], b.end[piece])
    keep = end > start
    return row[keep], start[keep], end[keep]


def complement(a: IntervalSet, spans: Int64Array) -> IntervalSet:
    """The time in ``[0, spans[coding])`` outside ``a`` (normal), for codings ``0..n-1``."""
    spans = np.asarray(spans, dtype="int64")
    n, stride = len(spans), _stride_of(spans)
    end_of = spans[a.coding] if len(a) else _EMPTY
    start, end = np.minimum(a.start, end_of), np.minimum(a.end, end_of)
    # Per coding the gaps run from 0 and from each end, to each start and to the span's end;
    # sorted by (coding, time) the two lists pair up one to one.
    tags = np.concatenate([a.coding, np.arange(n)])
    gap_start = np.concatenate([end, np.zeros(n, dtype="int64")])
    gap_end = np.concatenate([start, spans])
    by_start = np.lexsort((gap_start, tags))
    by_end = np.lexsort((gap_end, tags))
    return normalise(tags[by_start], gap_start[by_start], gap_end[by_end], stride)


def subtract(a: IntervalSet, b: IntervalSet, spans: Int64Array, stride: int) -> IntervalSet:
    """``a`` without ``b`` (both normal)."""
    return intersect(a, complement(b, spans), stride)


def _stride_of(spans: Int64Array) -> int:
    return int(spans.max()) + 1 if len(spans) else 1


def measure_before(a: IntervalSet, coding: Int64Array, time: Int64Array,
                   stride: int) -> Int64Array:
    """How much of ``a`` (normal) lies in ``[0, time)`` of each coding."""
    coding, time = np.asarray(coding, dtype="int64"), np.asarray(time, dtype="int64")
    if not len(a):
        return np.zeros(len(time), dtype="int64")
    key_start = a.coding * stride + a.start
    before: Int64Array = np.concatenate([[0], np.cumsum(a.length)])
    # Measure of every earlier coding, so the running sum can be taken per coding.
    coding_base = before[np.searchsorted(a.coding, coding, side="left")]
    idx = np.searchsorted(key_start, coding * stride + time, side="right")  # intervals begun
    total = before[idx] - coding_base
    last = np.maximum(idx - 1, 0)
    open_last = (idx > 0) & (a.coding[last] == coding) & (a.end[last] > time)
    return total - np.where(open_last, a.end[last] - time, 0)


def measure_between(a: IntervalSet, coding: Int64Array, start: Int64Array, end: Int64Array,
                    stride: int) -> Int64Array:
    """How much of ``a`` (normal) lies in ``[start, end)`` of each coding."""
    return (measure_before(a, coding, end, stride)
            - measure_before(a, coding, start, stride))


def containing(a: IntervalSet, coding: Int64Array, time: Int64Array, stride: int) -> Int64Array:
    """Index of the interval of ``a`` (normal) with ``start <= time < end``, else -1."""
    coding, time = np.asarray(coding, dtype="int64"), np.asarray(time, dtype="int64")
    if not len(a):
        return np.full(len(time), -1, dtype="int64")
    idx = np.searchsorted(a.coding * stride + a.start, coding * stride + time, side="right") - 1
    safe = np.maximum(idx, 0)
    inside = (idx >= 0) & (a.coding[safe] == coding) & (time < a.end[safe])
    return np.where(inside, safe, -1)


def next_start(a: IntervalSet, coding: Int64Array, time: Int64Array, stride: int,
               fill: Int64Array) -> Int64Array:
    """Start of the first interval of ``a`` (normal) beginning after ``time``, else ``fill``."""
    coding, time = np.asarray(coding, dtype="int64"), np.asarray(time, dtype="int64")
    if not len(a):
        return np.asarray(fill, dtype="int64").copy()
    idx = np.searchsorted(a.coding * stride + a.start, coding * stride + time, side="right")
    safe = np.minimum(idx, len(a) - 1)
    ok = (idx < len(a)) & (a.coding[safe] == coding)
    return np.where(ok, a.start[safe], fill)
