"""A proposal (suggestion) as plain data, and the interval helpers the detectors share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Proposal:
    """A proposed point (``offset_ms`` None) or state [onset_ms, offset_ms) for a coder to judge.

    ``detector`` and ``version`` name what proposed it (kept as the accepted event's provenance,
    ``assist:<detector>@<version>``); ``confidence`` is in 0..1 and only orders the list."""

    detector: str
    version: str
    subject: str
    code: str
    onset_ms: int
    offset_ms: int | None
    confidence: float
    modifiers: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def provenance(self) -> str:
        return f"assist:{self.detector}@{self.version}"


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The [start, stop) index ranges where a boolean ``mask`` is True."""
    flags = np.asarray(mask, dtype=bool)
    if not flags.size:
        return []
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def merge_close(
    intervals: Iterable[tuple[int, int]], max_gap_ms: int
) -> list[tuple[int, int]]:
    """Join intervals (ms) whose gap is at most ``max_gap_ms``; the input may be unsorted."""
    merged: list[list[int]] = []
    for onset, offset in sorted(intervals):
        if merged and onset - merged[-1][1] <= max_gap_ms:
            merged[-1][1] = max(merged[-1][1], offset)
        else:
            merged.append([onset, offset])
    return [(a, b) for a, b in merged]


def overlap_ms(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))
