"""The vectorised building blocks against plain loops and numpy (independent implementations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.indicators.common import first_within, group_median, inside_states


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


def test_inside_states_is_half_open() -> None:
    states = pd.DataFrame({"coding": [0, 1], "onset_ms": [10, 10], "offset_ms": [20, 20]})
    got = inside_states(np.array([0, 0, 0, 1, 1]), np.array([9, 10, 20, 15, 25]), states, 100)
    assert got.tolist() == [False, True, False, True, False]
