"""Slow, obviously-correct reference implementations used by the reliability tests.

Written independently of the package: plain Python loops over units and events.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

import pandas as pd
from hypothesis import strategies as st

NIL = "nil"


def codes_per_unit(events: pd.DataFrame, subject: str, kind: str, unit_ms: int,
                   n_units: int) -> list[str]:
    """The code of one subject and kind in each unit, by looping over units and events."""
    out = []
    for k in range(n_units):
        t = k * unit_ms
        found = NIL
        rows = sorted(events.itertuples(index=False), key=lambda r: r.onset_ms)
        for row in rows:
            if row.subject != subject:
                continue
            is_point = pd.isna(row.offset_ms)
            if kind == "state" and not is_point and row.onset_ms <= t < row.offset_ms:
                found = row.code
                break
            if kind == "point" and is_point and t <= row.onset_ms < t + unit_ms:
                found = row.code
                break
        out.append(found)
    return out


def n_units(a: pd.DataFrame, b: pd.DataFrame, unit_ms: int) -> int:
    end = 0
    for frame in (a, b):
        for row in frame.itertuples(index=False):
            end = max(end, row.onset_ms + 1 if pd.isna(row.offset_ms) else row.offset_ms)
    return math.ceil(end / unit_ms)


def keys(a: pd.DataFrame, b: pd.DataFrame) -> list[tuple[str, str]]:
    found = set()
    for frame in (a, b):
        for row in frame.itertuples(index=False):
            found.add((row.subject, "point" if pd.isna(row.offset_ms) else "state"))
    return sorted(found)


def cohen_kappa(pairs: list[tuple[str, str]]) -> float:
    """κ of paired labels by counting (no matrices)."""
    n = len(pairs)
    if n == 0:
        return float("nan")
    agree = sum(x == y for x, y in pairs) / n
    ca, cb = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    chance = sum(ca[c] * cb[c] for c in set(ca) | set(cb)) / n**2
    if len(set(ca) | set(cb)) == 1:  # one category only: chance agreement is 1
        return float("nan")
    return (agree - chance) / (1 - chance)


@st.composite
def codings(draw, subjects=("caregiver", "child"), codes=("a", "b", "c"), points=("p", "q"),
            horizon=6000, grid=1):
    """A random coding: per subject non-overlapping states (gaps allowed) and points, all
    times multiples of ``grid`` ms."""
    rows = []
    times = st.integers(0, horizon // grid).map(lambda t: t * grid)
    for subject in subjects:
        cuts = sorted(draw(st.sets(times, min_size=0, max_size=8)))
        for start, stop in itertools.pairwise(cuts):
            if draw(st.booleans()):
                rows.append((subject, draw(st.sampled_from(codes)), start, stop))
        for onset in draw(st.lists(times, max_size=3 if points else 0)):
            rows.append((subject, draw(st.sampled_from(points)), onset, None))
    frame = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64"})


def tolerated_pairs(a: list[str], b: list[str], width: int) -> list[tuple[str, str]]:
    """GSEQ tolerance with A as reference: a unit where A has c and B not counts as (c, c)
    when B has c within ±width units (nil outside the sequence)."""
    pairs = []
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        window = [b[j] if 0 <= j < len(b) else NIL for j in range(k - width, k + width + 1)]
        pairs.append((x, x) if x != y and x in window else (x, y))
    return pairs
