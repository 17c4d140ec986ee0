"""Procedures (free play, the Strange Situation) as segments, and the simulators' event tables."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from samspill.core.errors import InputError, SchemeError
from samspill.core.events import EVENT_COLUMNS
from samspill.core.scheme_check import load_builtin_scheme

Procedure = Literal["free-play", "ssp"]
FREE_PLAY_MS = 20 * 60_000
ABSENT_EPISODES = ("ep4", "ep6", "ep7")
STATE_CODES = frozenset({"distress", "hold", "near", "far", "absent"})

_Span = tuple[str, str, str, int, int]  # spec id, name, role, start, end


@lru_cache(maxsize=1)
def _ssp_episodes() -> tuple[tuple[str, str, str, int], ...]:
    template = load_builtin_scheme("ssp").segment_template("ssp")
    if template is None:  # shipped with the package: a missing one is a packaging bug
        raise SchemeError("the built-in ssp scheme has no 'ssp' template",
                          fix="reinstall Samspill")
    return tuple((s.id, s.name, s.role, s.nominal_ms) for s in template.segments)


def procedure_spans(procedure: str, duration_ms: int | None) -> list[_Span]:
    """The procedure's segments as (spec id, name, role, start, end), back to back from 0."""
    if procedure == "free-play":
        length = FREE_PLAY_MS if duration_ms is None else int(duration_ms)
        if length < 60_000:
            raise InputError(f"free play of {length} ms is too short to simulate",
                             fix="use a duration of at least 60000 ms")
        return [("play", "Free play", "plain", 0, length)]
    if procedure != "ssp":
        raise InputError(f"unknown procedure '{procedure}'", fix="use 'free-play' or 'ssp'")
    if duration_ms is not None:
        raise InputError("the Strange Situation takes its length from the ssp template",
                         fix="leave duration_ms out; use tail_ms to record on after episode 8")
    spans: list[_Span] = []
    t = 0
    for spec, name, role, nominal in _ssp_episodes():
        spans.append((spec, name, role, t, t + nominal))
        t += nominal
    return spans


def separations(spans: list[_Span]) -> list[tuple[int, int]]:
    """(leave, return) times: each run of absent episodes, back at the next episode's start."""
    out: list[tuple[int, int]] = []
    for spec, _, _, start, end in spans:
        if spec not in ABSENT_EPISODES:
            continue
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def proximity_states(changes: list[tuple[int, str]],
                      duration_ms: int) -> list[tuple[int, int, str]]:
    """Proximity changes as (start, end, state) tiling [0, duration]: same-instant changes
    keep the last, a repeated state continues the one before."""
    bouts: list[tuple[int, str]] = []
    for t, state in changes:
        if bouts and bouts[-1][0] == t:
            bouts.pop()  # replaced at the same instant
        if bouts and bouts[-1][1] == state:
            continue
        bouts.append((t, state))
    ends = [b[0] for b in bouts[1:]] + [duration_ms]
    return [(start, end, state) for (start, state), end in zip(bouts, ends, strict=True)
            if end > start]


def id_maker(rng: np.random.Generator) -> Callable[[str, int], str]:
    """UUID-shaped ids from the session's own random stream: reproducible, unique per kind."""
    prefix = "".join(f"{b:02x}" for b in rng.bytes(9))

    def make(variant: str, i: int) -> str:
        return f"{prefix[:8]}-{prefix[8:12]}-4{prefix[12:15]}-{variant}{prefix[15:18]}-{i:012x}"
    return make


EventRow = tuple[str, str, str, str, int, int | None, dict[str, Any]]
"""(event id, subject, code, kind, onset, offset or None, modifiers): a row of an event table."""


def event_table(rows: list[EventRow]) -> pd.DataFrame:
    """Rows as an ``events_frame``-shaped table, sorted by onset, subject and code (stably);
    no comments, no video frames."""
    rows = sorted(rows, key=lambda r: (r[4], r[1], r[2]))
    offsets = np.asarray([-1 if r[5] is None else r[5] for r in rows], dtype="int64")
    n = len(rows)
    return pd.DataFrame({
        "event_id": [r[0] for r in rows],
        "subject": [r[1] for r in rows],
        "code": [r[2] for r in rows],
        "kind": [r[3] for r in rows],
        "onset_ms": np.asarray([r[4] for r in rows], dtype="int64"),
        "offset_ms": pd.arrays.IntegerArray(offsets, offsets < 0),
        "modifiers": [r[6] for r in rows],
        "comment": [""] * n,
        "frame": pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool)),
    }, columns=EVENT_COLUMNS)
