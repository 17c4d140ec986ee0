"""A seeded simulator of caregiver–child interaction with named caregiving styles.

Pure and reproducible: the same style, seed and options give the same sessions, event ids
included. Sessions come in the same schema as human coding under the ``withdrawal-open``
scheme, and record their ground truth (style and drawn parameters). See ``docs/simulator.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from samspill.core.errors import InputError, SchemeError
from samspill.core.events import EVENT_COLUMNS, SEGMENT_COLUMNS, Event, Segment
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.simulate.session import Rows, absent_window, present_window
from samspill.core.simulate.styles import (
    CENTRES,
    STYLES,
    StyleParameters,
    draw_parameters,
    style_centre,
)

Procedure = Literal["free-play", "ssp"]
FREE_PLAY_MS = 20 * 60_000
ABSENT_EPISODES = ("ep4", "ep6", "ep7")
STATE_CODES = frozenset({"distress", "hold", "near", "far", "absent"})

__all__ = ["CENTRES", "STYLES", "SimulatedSession", "StyleParameters", "cohort_frames",
           "draw_parameters", "simulate_cohort", "simulate_session", "style_centre"]


@dataclass(frozen=True)
class SimulatedSession:
    """One simulated coding: its events (``table`` in ``events_frame`` form), segments, truth."""

    name: str
    table: pd.DataFrame
    segments: list[Segment]
    duration_ms: int
    ground_truth: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def events(self) -> list[Event]:
        """The events as :class:`Event` models, as a coder's would be stored."""
        # Cells as stored (str ids, numpy ints, modifier dicts; pandas-stubs type every cell
        # as a scalar): the Event model validates each one.
        rows: Iterable[Any] = self.table.itertuples(index=False)
        return [Event(id=r.event_id, subject=r.subject, code=r.code, onset_ms=r.onset_ms,
                      offset_ms=None if pd.isna(r.offset_ms) else int(r.offset_ms),
                      modifiers=r.modifiers) for r in rows]

    def segments_table(self) -> pd.DataFrame:
        """The segments in ``segments_frame`` form."""
        return pd.DataFrame([{"segment_id": s.id, "spec_id": s.spec_id, "name": s.name,
                              "role": s.role, "start_ms": s.start_ms, "end_ms": s.end_ms,
                              "note": s.note} for s in self.segments], columns=SEGMENT_COLUMNS)


def simulate_session(style: str, *, seed: int | np.random.SeedSequence,
                     procedure: Procedure = "free-play", duration_ms: int = FREE_PLAY_MS,
                     spread: float = 1.0, name: str | None = None) -> SimulatedSession:
    """One dyad of ``style``: parameters drawn around the centre, then one session.

    ``duration_ms`` is the free play's length; the Strange Situation uses its nominal
    episode lengths (1,290 s). ``spread=0`` simulates the style's centre exactly.
    """
    rng = np.random.default_rng(seed)
    params = draw_parameters(style, rng, spread)
    spans = _structure(procedure, duration_ms)
    prefix = "".join(f"{b:02x}" for b in rng.bytes(10))
    rows = Rows()
    absent = {s[0] for s in spans if s[0] in ABSENT_EPISODES}
    for a, b, kind in _windows(spans, absent):
        if kind == "absent":
            absent_window(rows, rng, params, a, b)
        else:
            present_window(rows, rng, params, a, b, reunion=kind == "reunion")
    total = spans[-1][4]
    segments = [Segment(id=f"{prefix[:8]}-{prefix[8:12]}-4{prefix[12:15]}-9{prefix[15:18]}-"
                        f"{i:012x}", spec_id=spec, name=nm, role=role, start_ms=a, end_ms=b)
                for i, (spec, nm, role, a, b) in enumerate(spans)]
    truth = {"style": style, "procedure": procedure, "spread": spread, **params.model_dump()}
    return SimulatedSession(name or f"sim-{style}-{prefix[:8]}", _table(rows, prefix),
                            segments, total, truth)


@lru_cache(maxsize=1)
def _ssp_template() -> list[tuple[str, str, str, int]]:
    template = load_builtin_scheme("ssp").segment_template("ssp")
    if template is None:  # shipped with the package: a missing one is a packaging bug
        raise SchemeError("the built-in ssp scheme has no 'ssp' template",
                          fix="reinstall Samspill")
    return [(s.id, s.name, s.role, s.nominal_ms) for s in template.segments]


def _structure(procedure: str, duration_ms: int) -> list[tuple[str, str, str, int, int]]:
    """(spec id, name, role, start, end) per segment."""
    if procedure == "free-play":
        if duration_ms < 60_000:
            raise InputError(f"free play of {duration_ms} ms is too short to simulate",
                             fix="use a duration of at least 60000 ms")
        return [("play", "Free play", "plain", 0, int(duration_ms))]
    if procedure != "ssp":
        raise InputError(f"unknown procedure '{procedure}'", fix="use 'free-play' or 'ssp'")
    out, t = [], 0
    for spec, name, role, nominal in _ssp_template():
        out.append((spec, name, role, t, t + nominal))
        t += nominal
    return out


def _windows(spans: list[tuple[str, str, str, int, int]],
             absent: set[str]) -> list[tuple[int, int, str]]:
    """Consecutive segments merged into windows: present, reunion-start, or absent."""
    out: list[tuple[int, int, str]] = []
    for spec, _, role, a, b in spans:
        kind = "absent" if spec in absent else ("reunion" if role == "reunion" else "present")
        if out and out[-1][2] == kind and kind != "reunion" and out[-1][1] == a:
            out[-1] = (out[-1][0], b, kind)
        elif out and kind == "present" and out[-1][2] == "reunion":
            out[-1] = (out[-1][0], b, "reunion")
        else:
            out.append((a, b, kind))
    return out


def _table(rows: Rows, prefix: str) -> pd.DataFrame:
    n = len(rows.onset)
    offset = pd.array([None if o < 0 else o for o in rows.offset], dtype="Int64")
    frame = pd.DataFrame({
        "event_id": [f"{prefix[:8]}-{prefix[8:12]}-4{prefix[12:15]}-8{prefix[15:18]}-{i:012x}"
                     for i in range(n)],
        "subject": rows.subject, "code": rows.code,
        "kind": ["state" if c in STATE_CODES else "point" for c in rows.code],
        "onset_ms": np.asarray(rows.onset, dtype="int64"), "offset_ms": offset,
        "modifiers": rows.modifiers, "comment": "", "frame": pd.array([None] * n, dtype="Int64"),
    }, columns=EVENT_COLUMNS)
    return frame.sort_values(["onset_ms", "subject", "code"], kind="stable").reset_index(drop=True)


def simulate_cohort(style: str, n: int, seed: int, procedure: Procedure = "free-play", *,
                    duration_ms: int = FREE_PLAY_MS, spread: float = 1.0) -> list[SimulatedSession]:
    """``n`` dyads of one style; session ``i`` depends only on (seed, style, i)."""
    if n < 0:
        raise InputError(f"cannot simulate {n} sessions", fix="ask for 0 or more sessions")
    style_centre(style)
    children = np.random.SeedSequence([seed, STYLES.index(style)]).spawn(n)
    return [simulate_session(style, seed=child, procedure=procedure, duration_ms=duration_ms,
                             spread=spread, name=f"{style}-{i:04d}")
            for i, child in enumerate(children)]


def cohort_frames(sessions: Sequence[SimulatedSession],
                  coding_col: str = "coding") -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """(events, segments, durations) of many sessions for ``score_codings``; codings by name."""
    names = [s.name for s in sessions]
    if len(set(names)) != len(names):
        raise InputError("two simulated sessions share a name", fix="give each a unique name")
    events = pd.concat([s.table.assign(**{coding_col: s.name}) for s in sessions],
                       ignore_index=True)
    segments = pd.concat([s.segments_table().assign(**{coding_col: s.name}) for s in sessions],
                         ignore_index=True)
    durations = pd.Series([s.duration_ms for s in sessions], index=names, dtype="int64")
    return events, segments, durations
