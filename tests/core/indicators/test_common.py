"""The vectorised building blocks against plain loops and numpy (independent implementations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.indicators.common import (
    group_median,
)
from samspill.core.indicators.lookups import first_answers, first_within, inside_states


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.floats(-1e6, 1e6)), max_size=40))
def test_group_median_equals_numpy_median_per_group(pairs: list[tuple[int, float]]) -> None:
    group = np.array([g for g, _ in pairs], dtype="int64")
    values = np.array([v for _, v in pairs], dtype="float64")
    got = group_median(values, group, 5)
    for g in range(5):
        chosen = values[group == g]
        if len(chosen):
            assert abs(got[g] - np.median(chosen)) <= 1e-6 * max(1.0, abs(np.median(chosen)))
        else:
            assert np.isnan(got[g])


def _brute_first_within(qc, qt, tc, tt, window):  # type: ignore[no-untyped-def]
    out = []
    for c, t in zip(qc, qt, strict=True):
        hits = [i for i in range(len(tt)) if tc[i] == c and 0 <= tt[i] - t <= window]
        out.append(min(hits, key=lambda i: (tt[i], i)) if hits else -1)
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 100)), max_size=15),
       st.lists(st.tuples(st.integers(0, 2), st.integers(0, 100)), max_size=15),
       st.integers(0, 30))
def test_first_within_matches_a_loop(queries: list[tuple[int, int]],
                                     targets: list[tuple[int, int]], window: int) -> None:
    targets = sorted(targets)
    qc = np.array([c for c, _ in queries], dtype="int64")
    qt = np.array([t for _, t in queries], dtype="int64")
    tc = np.array([c for c, _ in targets], dtype="int64")
    tt = np.array([t for _, t in targets], dtype="int64")
    got = first_within(qc, qt, tc, tt, window, stride=1000)
    want = _brute_first_within(qc, qt, tc, tt, window)
    # Ties in time may pick another index with the same time: compare the times found.
    assert [tt[i] if i >= 0 else -1 for i in got] == [tt[i] if i >= 0 else -1 for i in want]


def _loop_first_answers(c: list[int], t: list[int], h: list[int], targets: list[tuple[int, int]],
                        tolerance: int) -> list[int]:
    """The answer chain unit by unit, in time order: each instant's units share the answer
    of the last unit of the instant before; an answer before a unit cannot be its own."""
    out = [-1] * len(c)
    previous: dict[int, tuple[int, int]] = {}  # coding -> (instant, its last unit's answer)
    last: dict[int, tuple[int, int]] = {}
    for i in sorted(range(len(c)), key=lambda i: (c[i], t[i], i)):
        if c[i] in last and last[c[i]][0] != t[i]:
            previous[c[i]] = last[c[i]]
        low = t[i] - tolerance
        before = previous.get(c[i], (None, -1))[1]
        if 0 <= before < t[i]:
            low = min(max(low, before + 1), t[i])
        found = [time for code, time in targets if code == c[i] and low <= time <= h[i]]
        out[i] = min(found) if found else -1
        last[c[i]] = (t[i], out[i])
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60), st.integers(0, 40)),
                max_size=20),
       st.lists(st.tuples(st.integers(0, 2), st.integers(0, 100)), max_size=20),
       st.integers(0, 10))
def test_first_answers_match_the_chain_unit_by_unit(
        units: list[tuple[int, int, int]], targets: list[tuple[int, int]],
        tolerance: int) -> None:
    """The passes that look again only where an answer changed give the sequential rule."""
    targets = sorted(targets)
    c = [u[0] for u in units]
    t = [u[1] for u in units]
    h = [u[1] + u[2] for u in units]
    tt = np.array([time for _, time in targets], dtype="int64")
    got = first_answers(np.array(c, dtype="int64"), np.array(t, dtype="int64"),
                        np.array(h, dtype="int64"),
                        np.array([code for code, _ in targets], dtype="int64"), tt,
                        tolerance, stride=1000)
    assert [int(tt[i]) if i >= 0 else -1 for i in got] == _loop_first_answers(
        c, t, h, targets, tolerance)


def test_inside_states_is_half_open() -> None:
    states = pd.DataFrame({"coding": [0, 1], "onset_ms": [10, 10], "offset_ms": [20, 20]})
    got = inside_states(np.array([0, 0, 0, 1, 1]), np.array([9, 10, 20, 15, 25]), states, 100)
    assert got.tolist() == [False, True, False, True, False]
