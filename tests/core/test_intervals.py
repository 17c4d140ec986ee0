"""Interval sets against a plain bitmap of milliseconds (an independent implementation)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.intervals import (
    coding_order,
    complement,
    containing,
    intersect,
    measure_between,
    next_start,
    normalise,
    subtract,
    union,
)

SPAN = 60
N_CODINGS = 3
STRIDE = SPAN + 1
raw = st.lists(st.tuples(st.integers(0, N_CODINGS - 1), st.integers(0, SPAN),
                         st.integers(0, 20)), max_size=8)
queries = st.lists(st.tuples(st.integers(0, N_CODINGS - 1), st.integers(0, SPAN),
                             st.integers(0, SPAN)), max_size=10)


def _arrays(items):  # type: ignore[no-untyped-def]
    c = np.array([i[0] for i in items], dtype="int64")
    s = np.array([i[1] for i in items], dtype="int64")
    e = np.minimum(s + np.array([i[2] for i in items], dtype="int64"), SPAN)
    return c, s, e


def _bitmap(coding, start, end) -> np.ndarray:  # type: ignore[no-untyped-def]
    m = np.zeros((N_CODINGS, SPAN), dtype=bool)
    for c, s, e in zip(coding, start, end, strict=True):
        m[c, s:e] = True
    return m


@settings(max_examples=150, deadline=None)
@given(raw, raw, queries)
def test_set_operations_and_lookups_match_a_bitmap(a_raw, b_raw, q) -> None:  # type: ignore[no-untyped-def]
    a, b = normalise(*_arrays(a_raw), STRIDE), normalise(*_arrays(b_raw), STRIDE)
    ma, mb = _bitmap(*_arrays(a_raw)), _bitmap(*_arrays(b_raw))
    assert (_bitmap(a.coding, a.start, a.end) == ma).all()
    same = a.coding[1:] == a.coding[:-1]
    assert (a.start[1:][same] > a.end[:-1][same]).all()  # normal: no overlap, no touching
    spans = np.full(N_CODINGS, SPAN)
    for got, want in [(intersect(a, b, STRIDE), ma & mb), (union(a, b, STRIDE), ma | mb),
                      (subtract(a, b, spans, STRIDE), ma & ~mb), (complement(a, spans), ~ma)]:
        assert (_bitmap(got.coding, got.start, got.end) == want).all()
    qc = np.array([x[0] for x in q], dtype="int64")
    lo = np.array([min(x[1], x[2]) for x in q], dtype="int64")
    hi = np.array([max(x[1], x[2]) for x in q], dtype="int64")
    assert measure_between(a, qc, lo, hi, STRIDE).tolist() == [
        int(ma[c, x:y].sum()) for c, x, y in zip(qc, lo, hi, strict=True)]
    inside = containing(a, qc, lo, STRIDE) >= 0
    assert inside.tolist() == [bool(x < SPAN and ma[c, x]) for c, x in zip(qc, lo, strict=True)]
    after = next_start(a, qc, lo, STRIDE, np.full(len(qc), -1))
    assert after.tolist() == [min((int(s) for cc, s in zip(a.coding, a.start, strict=True)
                                   if cc == c and s > x), default=-1)
                              for c, x in zip(qc, lo, strict=True)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(-2, SPAN)), max_size=60),
       st.booleans())
def test_coding_order_is_lexsort_sorted_input_or_not(rows: list[tuple[int, int]],
                                                     stored: bool) -> None:
    coding = np.array([c for c, _ in rows], dtype="int64")
    time = np.array([t for _, t in rows], dtype="int64")
    if stored:  # as the events come: by coding and time, ties in their order
        order = np.lexsort((time, coding))
        coding, time = coding[order], time[order]
    expected = np.lexsort((time, coding)).tolist()
    assert coding_order(coding, time, SPAN + 1).tolist() == expected
    assert coding_order(coding, time, 2**61).tolist() == expected  # keys too large: lexsort
