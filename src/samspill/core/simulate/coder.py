"""A model of a human coder: what a coder would log, given the true behaviour.

The behaviour generator (:mod:`samspill.core.simulate.behaviour`) gives the true stream; this
module turns it into a coding with the errors and habits of a human coder, so that a measure
can be checked against codings that are imperfect in known ways. See ``docs/validity.md``.

The model, in the order it is applied:

1. *Conventions* (each off by default), habits of a coder or a lab:

   * ``min_hold_ms``: holds shorter than this are not coded (too brief to register);
   * ``merge_bids_within_ms``: a bid repeated as the same kind within this time of the
     previous one is coded once (the first);
   * ``absent_uncoded``: probability that an ``absent`` state is left uncoded when the leave
     and the return around it are there to be coded (coders who mark only the two points);
   * ``intensity_error``: probability that an answer's intensity is coded the other way
     (muted as full, full as muted);
   * ``reaction_lag_ms``: every time is coded this much late (the key is pressed after the
     behaviour is seen).

2. *Missed codes*: each event is dropped independently with probability ``miss_share``. A
   dropped proximity state leaves a gap in the proximity coding.

3. *Timing jitter*: every time moves by a random amount, uniform within ±``jitter_ms`` or
   normal with standard deviation ``jitter_ms``. A boundary shared by two adjacent states of one
   lane (near ending where far starts) moves as one. States are then kept valid: inside
   [0, duration], never inverted (a state keeps at least 1 ms), and never overlapping another
   state of its lane (the same state code, or one exclusive group such as near/far/absent, per
   subject). Points are clipped to [0, duration].

Each coded event keeps the ``event_id`` of the true event it records, so a coding can be
traced back to the behaviour. The segments are taken as they are. The random draws are made
for every true event whether or not a step applies, so that changing one parameter leaves the
other errors of the same seed as they were. The clean coder (no jitter, no misses, conventions
off) returns the true events unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from samspill.core.errors import InputError
from samspill.core.events import EVENT_COLUMNS
from samspill.core.scheme import Scheme
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.simulate import SimulatedSession
from samspill.core.simulate.behaviour import event_table

__all__ = ["CoderConventions", "Jitter", "code_session"]

Jitter = Literal["uniform", "normal"]
_MIN_STATE_MS = 1


class CoderConventions(BaseModel):
    """A coder's habits. The defaults are off: the coder logs what happened."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reaction_lag_ms: int = Field(default=0, ge=0, le=10_000)
    intensity_error: float = Field(default=0.0, ge=0.0, le=1.0)
    min_hold_ms: int = Field(default=0, ge=0)
    merge_bids_within_ms: int = Field(default=0, ge=0)
    absent_uncoded: float = Field(default=0.0, ge=0.0, le=1.0)

    @classmethod
    def typical(cls) -> CoderConventions:
        """Every convention on, at mild settings (an illustration, not an estimate)."""
        return cls(reaction_lag_ms=300, intensity_error=0.1, min_hold_ms=2000,
                   merge_bids_within_ms=1000, absent_uncoded=0.5)


@dataclass
class _Coded:
    """One event as the coder logs it; ``true_*`` keep the behaviour's times."""

    row: dict[str, Any]
    true_onset: int
    true_offset: int | None
    jitter_on: int
    jitter_off: int


def code_session(session: SimulatedSession, *, seed: int | np.random.SeedSequence,
                 jitter_ms: int = 0, jitter: Jitter = "uniform", miss_share: float = 0.0,
                 conventions: CoderConventions | None = None, scheme: Scheme | None = None,
                 name: str | None = None) -> SimulatedSession:
    """What a coder would log for ``session``'s true behaviour (see the module's docstring).

    ``scheme`` gives the lanes (exclusive groups) that must not overlap; by default the
    ``withdrawal-open`` scheme. The result's ground truth is the session's, plus ``coder``:
    the parameters used.
    """
    conventions = conventions or CoderConventions()
    _check_parameters(jitter_ms, jitter, miss_share)
    n = len(session.table)
    # one stream per kind of error, drawn for every event: changing one parameter leaves the
    # other errors of the same seed as they were
    conv_rng, miss_rng, jitter_rng, absent_rng = (
        np.random.default_rng(s) for s in np.random.default_rng(seed).integers(0, 2**63, size=4))
    flips = conv_rng.random(n) < conventions.intensity_error
    absent_draws = absent_rng.random(n) < conventions.absent_uncoded
    missed = miss_rng.random(n) < miss_share
    jitters = _draw_jitter(jitter_rng, 2 * n, jitter_ms, jitter).reshape(n, 2)
    coded = _true_events(session.table, jitters)
    keep = _kept_by_conventions(coded, conventions, absent_draws, session.duration_ms)
    keep &= ~missed
    for c, flip in zip(coded, flips, strict=True):
        if flip:
            _flip_intensity(c.row)
    survivors = [c for c, k in zip(coded, keep, strict=True) if k]
    lanes = _lanes(scheme) if scheme is not None else _open_scheme_lanes()
    _place_times(survivors, conventions.reaction_lag_ms, session.duration_ms, lanes)
    truth = {**session.ground_truth,
             "coder": {"seed": seed if isinstance(seed, int) else repr(seed),
                       "jitter_ms": int(jitter_ms), "jitter": jitter,
                       "miss_share": float(miss_share), **conventions.model_dump()}}
    return SimulatedSession(name or f"{session.name}-coded", _frame(survivors),
                            list(session.segments), session.duration_ms, truth)


def _check_parameters(jitter_ms: int, jitter: str, miss_share: float) -> None:
    if jitter_ms < 0:
        raise InputError(f"jitter_ms {jitter_ms} is negative", fix="use 0 or more")
    if jitter not in ("uniform", "normal"):
        raise InputError(f"unknown jitter '{jitter}'", fix="use 'uniform' or 'normal'")
    if not 0.0 <= miss_share < 1.0:
        raise InputError(f"miss_share {miss_share} is outside [0, 1)",
                         fix="give the share of events missed, e.g. 0.1")


def _draw_jitter(rng: np.random.Generator, n: int, jitter_ms: int, jitter: Jitter) -> np.ndarray:
    if jitter == "uniform":
        draws = rng.uniform(-jitter_ms, jitter_ms, size=n)
    else:
        draws = rng.normal(0.0, jitter_ms, size=n)
    return np.rint(draws).astype("int64")


def _true_events(table: pd.DataFrame, jitters: np.ndarray) -> list[_Coded]:
    columns = {c: table[c].tolist() for c in EVENT_COLUMNS}  # column-wise: fast on Arrow strings
    out: list[_Coded] = []
    for i in range(len(table)):
        row = {c: columns[c][i] for c in EVENT_COLUMNS}
        row["modifiers"] = dict(row["modifiers"])  # the coder's copy; the truth stays as it is
        out.append(_Coded(row, int(row["onset_ms"]), _maybe_int(row["offset_ms"]),
                          int(jitters[i, 0]), int(jitters[i, 1])))
    return out


def _maybe_int(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


# -- conventions ------------------------------------------------------------------------------


def _kept_by_conventions(coded: list[_Coded], conventions: CoderConventions,
                         absent_uncoded: np.ndarray, duration_ms: int) -> np.ndarray:
    """Which true events the coder's habits let through to the coding."""
    keep = np.ones(len(coded), dtype=bool)
    if conventions.min_hold_ms:
        for i, c in enumerate(coded):
            if c.row["code"] == "hold" and _length(c) < conventions.min_hold_ms:
                keep[i] = False
    if conventions.merge_bids_within_ms:
        keep &= ~_quick_repeats(coded, conventions.merge_bids_within_ms)
    if conventions.absent_uncoded:
        keep &= ~(_absent_with_both_points(coded, duration_ms) & absent_uncoded)
    return keep


def _length(c: _Coded) -> int:
    return (c.true_offset if c.true_offset is not None else c.true_onset) - c.true_onset


def _quick_repeats(coded: list[_Coded], within_ms: int) -> np.ndarray:
    """Bids repeated as the same kind within ``within_ms`` of the subject's previous one."""
    repeat = np.zeros(len(coded), dtype=bool)
    last: dict[tuple[str, str], int] = {}
    for i in sorted(range(len(coded)), key=lambda k: coded[k].true_onset):
        c = coded[i]
        if c.row["code"] != "bid":
            continue
        key = (c.row["subject"], str(c.row["modifiers"].get("kind")))
        if key in last and c.true_onset - last[key] <= within_ms:
            repeat[i] = True
        last[key] = c.true_onset  # a chain of quick repeats is one signal
    return repeat


def _absent_with_both_points(coded: list[_Coded], duration_ms: int) -> np.ndarray:
    """Absent states with a leave at their onset and a return at their end (or the media's)."""
    leaves = {c.true_onset for c in coded if c.row["code"] == "leave"}
    returns = {c.true_onset for c in coded if c.row["code"] == "return"} | {duration_ms}
    return np.array([c.row["code"] == "absent" and c.true_onset in leaves
                     and c.true_offset in returns for c in coded], dtype=bool)


def _flip_intensity(row: dict[str, Any]) -> None:
    value = row["modifiers"].get("intensity")
    if value in ("full", "muted"):
        row["modifiers"]["intensity"] = "muted" if value == "full" else "full"


# -- timing -----------------------------------------------------------------------------------


def _place_times(coded: list[_Coded], lag_ms: int, duration_ms: int,
                 lane_of: dict[str, str]) -> None:
    """Lag and jitter every time, then make each lane's states valid again."""
    lanes: dict[tuple[str, str], list[_Coded]] = {}
    for c in coded:
        if c.true_offset is None:
            c.row["onset_ms"] = _clip(c.true_onset + lag_ms + c.jitter_on, duration_ms)
            continue
        lane = lane_of.get(c.row["code"], c.row["code"])
        lanes.setdefault((c.row["subject"], lane), []).append(c)
    for states in lanes.values():
        _place_lane(sorted(states, key=lambda c: (c.true_onset, c.true_offset)), lag_ms,
                    duration_ms)


@lru_cache(maxsize=1)
def _open_scheme_lanes() -> dict[str, str]:
    return _lanes(load_builtin_scheme("withdrawal-open"))


def _lanes(scheme: Scheme) -> dict[str, str]:
    """State code -> the lane it must not overlap in: its exclusive group, or itself."""
    out: dict[str, str] = {}
    for group in scheme.exclusive_groups:
        out.update(dict.fromkeys(group.codes, f"group:{group.id}"))
    return out


def _place_lane(states: list[_Coded], lag_ms: int, duration_ms: int) -> None:
    bounds = _jittered_bounds(states, lag_ms)
    _make_orderly(bounds, duration_ms)
    for c, (onset, offset) in zip(states, bounds, strict=True):
        c.row["onset_ms"], c.row["offset_ms"] = onset, offset


def _jittered_bounds(states: list[_Coded], lag_ms: int) -> list[list[int]]:
    """[onset, offset] per state; a boundary two adjacent states share takes one draw."""
    bounds: list[list[int]] = []
    previous: _Coded | None = None
    for c in states:
        shared = previous is not None and previous.true_offset == c.true_onset
        on_jitter = previous.jitter_off if shared and previous is not None else c.jitter_on
        offset = c.true_offset if c.true_offset is not None else c.true_onset
        bounds.append([c.true_onset + lag_ms + on_jitter, offset + lag_ms + c.jitter_off])
        previous = c
    return bounds


def _make_orderly(bounds: list[list[int]], duration_ms: int) -> None:
    """In place: states in order, none empty or overlapping, all inside [0, duration].

    A forward pass pushes each start to at least the previous end (and 0); a backward pass
    pulls each end to at most the next start (and the duration). Shared boundaries stay shared
    because both passes move the two sides to the same value.
    """
    floor = 0
    for b in bounds:
        b[0] = max(b[0], floor)
        b[1] = max(b[1], b[0] + _MIN_STATE_MS)
        floor = b[1]
    ceiling = duration_ms
    for b in reversed(bounds):
        b[1] = min(b[1], ceiling)
        b[0] = min(b[0], b[1] - _MIN_STATE_MS)
        ceiling = b[0]


def _clip(t: int, duration_ms: int) -> int:
    return min(max(t, 0), duration_ms)


def _frame(coded: Iterable[_Coded]) -> pd.DataFrame:
    return event_table([(c.row["event_id"], c.row["subject"], c.row["code"], c.row["kind"],
                         c.row["onset_ms"],
                         c.row["offset_ms"] if c.true_offset is not None else None,
                         c.row["modifiers"]) for c in coded])
