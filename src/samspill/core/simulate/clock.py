"""The discrete-event clock under the behaviour simulator: a queue of happenings in integer
milliseconds, the random draws, and the record of what happened."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class _Run:
    """A run of bids: one signal and its repeats, until answered or given up."""

    kind: str
    answered: bool = False
    answer_pending: bool = False
    repeats: int = 0
    repeat_token: int = 0  # only the latest scheduled repeat counts


@dataclass
class _Record:
    """What happened: points and closed states, in the order they were logged."""

    points: list[tuple[int, str, str, dict[str, str]]] = field(default_factory=list)
    states: list[tuple[int, int, str, str]] = field(default_factory=list)
    proximity: list[tuple[int, str]] = field(default_factory=list)  # (time, new state)


class _Clock:
    """Scheduling, random draws and logging for one recording of ``duration_ms``."""

    def __init__(self, rng: np.random.Generator, duration_ms: int) -> None:
        self.rng = rng
        self.duration = duration_ms
        self.record = _Record()
        self._queue: list[tuple[int, int, Callable[..., None], tuple[Any, ...]]] = []
        self._order = itertools.count()

    def _run_queue(self) -> None:
        """Run every scheduled happening in time order (ties in the order scheduled)."""
        while self._queue:
            t, _, handler, args = heapq.heappop(self._queue)
            handler(t, *args)

    def _at(self, t: int, handler: Callable[..., None], *args: Any) -> None:
        """Schedule ``handler(t, *args)``; nothing is scheduled at or after the end."""
        if t < self.duration:
            heapq.heappush(self._queue, (t, next(self._order), handler, args))

    def _poisson(self, t: int, per_min: float, act: Callable[[int], None]) -> None:
        """Run ``act`` at the times of a Poisson process (``act`` decides if it applies)."""
        if per_min > 0:
            self._at(t + self._exp_ms(60.0 / per_min), self._poisson_tick, per_min, act)

    def _poisson_tick(self, t: int, per_min: float, act: Callable[[int], None]) -> None:
        act(t)
        self._poisson(t, per_min, act)

    # -- random draws --------------------------------------------------------------------------

    def _exp_ms(self, mean_s: float) -> int:
        return max(1, round(self.rng.exponential(mean_s) * 1000))

    def _lognormal_ms(self, median_s: float, sigma: float) -> int:
        factor: float = np.exp(self.rng.normal(0.0, sigma))  # float64; stubs: ufuncs give Any
        return max(1, round(median_s * factor * 1000))

    def _uniform_ms(self, low_s: float, high_s: float) -> int:
        return round(self.rng.uniform(low_s, high_s) * 1000)

    def _chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def _pick(self, weights: Mapping[str, float]) -> str:
        """One name, with probability proportional to its weight (one uniform draw)."""
        u = self.rng.random() * sum(weights.values())
        for name, weight in weights.items():
            u -= weight
            if u < 0:
                return name
        return name  # rounding at the top end

    # -- logging -------------------------------------------------------------------------------

    def _point(self, t: int, subject: str, code: str, **modifiers: str) -> None:
        if 0 <= t < self.duration:
            self.record.points.append((t, subject, code, dict(modifiers)))
