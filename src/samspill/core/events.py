"""Events and segments as plain data, and their checks against a scheme.

Times are integer milliseconds on the session's timeline. A point event has ``offset_ms`` None;
a state is the interval [onset_ms, offset_ms). A state still running while coding also has
``offset_ms`` None; :func:`event_problems` with ``complete=True`` rejects that.

The event table (``events_frame``) has the columns of :data:`EVENT_COLUMNS`:

=========== ======== ==========================================================
column      dtype    meaning
=========== ======== ==========================================================
event_id    str      client-generated UUID, stable across edits and retries
subject     str      ``caregiver``, ``child`` or a custom subject
code        str      code id from the scheme
kind        str      ``point`` or ``state``
onset_ms    int64    start (or instant) in ms
offset_ms   Int64    end of a state in ms (exclusive); <NA> for points
modifiers   object   dict: modifier set id -> option (or list for multiple choice)
comment     str      free text
frame       Int64    video frame index when known, else <NA>
=========== ======== ==========================================================
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from samspill.core.problems import Problem
from samspill.core.scheme import Code, ModifierSet, Scheme

ModifierValue = str | list[str]
EVENT_COLUMNS = [
    "event_id",
    "subject",
    "code",
    "kind",
    "onset_ms",
    "offset_ms",
    "modifiers",
    "comment",
    "frame",
]
SEGMENT_COLUMNS = ["segment_id", "spec_id", "name", "role", "start_ms", "end_ms", "note"]
Millis = Annotated[int, Field(ge=0, le=10 * 24 * 3600 * 1000)]


class Event(BaseModel):
    """One coded event."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    subject: str
    code: str
    onset_ms: Millis
    offset_ms: Millis | None = None
    modifiers: dict[str, ModifierValue] = {}
    comment: str = Field(default="", max_length=2000)
    frame: int | None = Field(default=None, ge=0)
    # ``assist:<detector>@<version>`` for an accepted suggestion, None for an event coded by
    # hand. Set by the server from the suggestion; what a client sends here is not believed.
    provenance: str | None = Field(default=None, max_length=120)


class Segment(BaseModel):
    """A marked part of a session, e.g. one Strange Situation episode."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    spec_id: str | None = None
    name: str
    role: str = "plain"
    start_ms: Millis
    end_ms: Millis
    note: str = ""


def events_frame(events: Iterable[Event], scheme: Scheme | None = None) -> pd.DataFrame:
    """The event table, sorted by onset then subject; ``kind`` comes from the scheme."""
    rows = [
        {
            "event_id": e.id,
            "subject": e.subject,
            "code": e.code,
            "kind": _kind(scheme, e),
            "onset_ms": e.onset_ms,
            "offset_ms": e.offset_ms,
            "modifiers": dict(e.modifiers),
            "comment": e.comment,
            "frame": e.frame,
        }
        for e in events
    ]
    frame = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    frame = frame.astype({"onset_ms": "int64", "offset_ms": "Int64", "frame": "Int64"})
    return frame.sort_values(["onset_ms", "subject", "code"], kind="stable").reset_index(drop=True)


def _kind(scheme: Scheme | None, event: Event) -> str:
    code = scheme.code(event.code) if scheme else None
    if code is not None:
        return code.kind
    return "point" if event.offset_ms is None else "state"


def segments_frame(segments: Iterable[Segment]) -> pd.DataFrame:
    rows = [
        {
            "segment_id": s.id,
            "spec_id": s.spec_id,
            "name": s.name,
            "role": s.role,
            "start_ms": s.start_ms,
            "end_ms": s.end_ms,
            "note": s.note,
        }
        for s in segments
    ]
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS).astype(
        {"start_ms": "int64", "end_ms": "int64"}
    )
    return frame.sort_values("start_ms", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class _Index:
    """A scheme's look-ups, built once per check instead of once per event."""

    codes: dict[str, Code]
    modifier_sets: dict[str, ModifierSet]
    lane_of: dict[str, str]  # state code -> its exclusive group's id, or itself
    known: str

    @classmethod
    def of(cls, scheme: Scheme) -> _Index:
        lanes = {c.id: c.id for c in scheme.codes}
        for group in reversed(scheme.exclusive_groups):
            lanes.update(dict.fromkeys(group.codes, group.id))
        return cls(
            {c.id: c for c in scheme.codes},
            {m.id: m for m in scheme.modifier_sets},
            lanes,
            ", ".join(c.id for c in scheme.codes),
        )


def event_problems(
    events: Sequence[Event],
    scheme: Scheme,
    *,
    duration_ms: int | None = None,
    complete: bool = False,
    labels: Sequence[str] | None = None,
) -> list[Problem]:
    """Everything wrong with a set of events under a scheme.

    ``labels[i]`` names event i in messages (e.g. ``row 12``); by default its id.
    ``complete`` requires every state to be closed (for import and scoring).
    """
    names = list(labels) if labels is not None else [f"event {e.id}" for e in events]
    index = _Index.of(scheme)
    problems: list[Problem] = []
    for name, event in zip(names, events, strict=True):
        problems += [
            p.located(name) for p in _single_event_problems(event, index, duration_ms, complete)
        ]
    problems += _overlap_problems(events, index, names)
    return problems


def events_fit(
    events: Iterable[Event],
    scheme: Scheme,
    *,
    duration_ms: int | None = None,
    complete: bool = False,
) -> bool:
    """Whether :func:`event_problems` would find nothing, in a fraction of its time.

    What is checked of an event's code, subject and modifiers, and whether it has an offset, is
    the same for every event that shares them: checked once per such combination (a coding
    repeats a few dozen), while the times and the overlaps are checked for every event. For
    imports that check every event and need the messages only when something is wrong.
    """
    index = _Index.of(scheme)
    lane_of = {c.id: index.lane_of[c.id] for c in scheme.codes if c.kind == "state"}
    fine: set[tuple[object, ...]] = set()
    lanes: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for event in events:
        onset, offset = event.onset_ms, event.offset_ms
        if offset is not None and offset < onset:
            return False
        if duration_ms is not None and max(onset, offset or 0) > duration_ms:
            return False
        key: tuple[object, ...] = (event.code, event.subject, offset is None,
                                   tuple(event.modifiers.items()))
        try:
            known = key in fine
        except TypeError:  # a multiple choice (a list) among the modifiers
            key = (*key[:3], tuple((k, tuple(v) if isinstance(v, list) else v)
                                   for k, v in event.modifiers.items()))
            known = key in fine
        if not known:
            if _single_event_problems(event, index, duration_ms, complete):
                return False
            fine.add(key)
        if offset is not None and event.code in lane_of:
            lanes.setdefault((event.subject, lane_of[event.code]), []).append((onset, offset))
    # Sorted by time, states that tie on both times are alike, so the order is the one
    # _overlap_problems sorts into as far as any overlap goes.
    return not any(start_b < end_a for spans in lanes.values()
                   for (_, end_a), (start_b, _) in pairwise(sorted(spans)))


def _single_event_problems(
    event: Event, index: _Index, duration_ms: int | None, complete: bool
) -> list[Problem]:
    code = index.codes.get(event.code)
    if code is None:
        return [
            Problem(f"unknown code '{event.code}'", f"use one of the scheme's codes: {index.known}")
        ]
    out: list[Problem] = []
    if event.subject not in code.subjects:
        out.append(
            Problem(
                f"code '{code.id}' does not apply to subject '{event.subject}'",
                f"use subject {' or '.join(code.subjects)}",
            )
        )
    if code.kind == "point" and event.offset_ms is not None:
        out.append(Problem(f"point code '{code.id}' has an offset", "leave offset_ms empty"))
    if code.kind == "state" and event.offset_ms is None and complete:
        out.append(
            Problem(
                f"state '{code.id}' at {event.onset_ms} ms has no offset",
                "give the state an end time",
            )
        )
    if event.offset_ms is not None and event.offset_ms < event.onset_ms:
        out.append(
            Problem(
                f"offset {event.offset_ms} ms comes before onset {event.onset_ms} ms",
                "swap or correct the times",
            )
        )
    last = max(event.onset_ms, event.offset_ms or 0)
    if duration_ms is not None and last > duration_ms:
        out.append(
            Problem(
                f"time {last} ms lies beyond the media's duration {duration_ms} ms",
                "correct the time or check the media offset",
            )
        )
    out += _modifier_problems(event, index, code.modifiers)
    return out


def _modifier_problems(event: Event, index: _Index, allowed: Sequence[str]) -> list[Problem]:
    out: list[Problem] = []
    for set_id, value in event.modifiers.items():
        mset = index.modifier_sets.get(set_id) if set_id in allowed else None
        if mset is None:
            out.append(
                Problem(
                    f"code '{event.code}' takes no modifier '{set_id}'",
                    f"use {', '.join(allowed) or 'no modifiers'}",
                )
            )
            continue
        values = value if isinstance(value, list) else [value]
        if mset.choice == "single" and isinstance(value, list) and len(value) != 1:
            out.append(Problem(f"modifier '{set_id}' takes one choice", "pick one option"))
        for v in values:
            if v not in mset.options:
                out.append(
                    Problem(
                        f"'{v}' is not an option of modifier '{set_id}'",
                        f"use one of: {', '.join(mset.options)}",
                    )
                )
    return out


def _overlap_problems(
    events: Sequence[Event], index: _Index, names: Sequence[str]
) -> list[Problem]:
    """States of one exclusive group, or the same state twice, must not overlap per subject."""
    lanes: dict[tuple[str, str], list[tuple[int, int, str, str]]] = {}
    for name, event in zip(names, events, strict=True):
        code = index.codes.get(event.code)
        if code is None or code.kind != "state" or event.offset_ms is None:
            continue
        lane = index.lane_of[code.id]
        lanes.setdefault((event.subject, lane), []).append(
            (event.onset_ms, event.offset_ms, code.id, name)
        )
    out: list[Problem] = []
    for (subject, lane), spans in lanes.items():
        spans.sort()
        for (_, end_a, code_a, name_a), (start_b, _, code_b, name_b) in pairwise(spans):
            if start_b < end_a:
                out.append(
                    Problem(
                        f"'{code_b}' starts at {start_b} ms while '{code_a}' ({name_a}) still runs "
                        f"until {end_a} ms for {subject} in '{lane}'",
                        "end the first state before the next one starts",
                        (),
                        name_b,
                    )
                )
    return out
