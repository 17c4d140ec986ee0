"""What a coding may hold while it is coded: the rules the server holds every write to.

The coding screen keeps these rules itself, but two browsers, an old outbox or an API client
can still send what breaks them; the server refuses such a write whole (nothing is stored).
Each rule returns :class:`Refusal` values: an English template with its parameters, so the
edge can say it in the reader's language (the web marks the same templates for translation).

* Lanes: per subject, the states of one exclusive group (or one state code) never overlap. A
  running state (no end yet) runs from its onset on: two running states of one lane are two
  states at once, and a closed state covering a running state's onset overlaps it. A closed
  state that starts after a running one is allowed (a coder may code out of order); scoring a
  running state ends it at the next state of its lane (:func:`close_running`).
* Segments of a session never overlap (half-open ``[start, end)``).
* A modifier set the scheme marks ``required`` is never missing from a finished coding, an
  event is never added without one that is due, and an edit never takes one away.
* A coding is submitted with no state running.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samspill.core.events import Event, Segment
from samspill.core.scheme import Scheme

LANE_OVERLAP = (
    "'{code}' at {onset} ms would overlap '{other}' ({start}–{end}) for {subject}"
)
LANE_OVERLAP_FIX = (
    "end the first state before the next one starts, or reload to see the other's events"
)
TWO_RUNNING = (
    "'{code}' would run at the same time as '{other}' (running since {start} ms) for {subject}"
)
TWO_RUNNING_FIX = "stop '{other}' first; another window may have started it, so reload the page"
SEGMENT_OVERLAP = (
    "segment '{name}' ({start}–{end}) overlaps segment '{other}' ({other_start}–{other_end})"
)
SEGMENT_OVERLAP_FIX = "mark it after the other ends, or delete the other first"
MISSING_MODIFIER = "'{code}' at {onset} ms lacks its required '{modifier}'"
MISSING_MODIFIER_FIX = "choose a '{modifier}' for it (edit the event)"
ADDED_WITHOUT = "'{code}' at {onset} ms cannot be added without its required '{modifier}'"
ADDED_WITHOUT_FIX = (
    "send the event together with its '{modifier}'; the coding screen asks for it first"
)
STILL_RUNNING = "{count} state(s) still running, the first '{code}' since {onset} ms"
STILL_RUNNING_FIX = "stop every running state, then submit"
STALE = "this event was changed elsewhere (your version {yours}, the server's {theirs})"
STALE_FIX = "keep yours or take the server's"
DELETED = "this event was deleted elsewhere"
DELETED_FIX = "add it again, or take the deletion"

# Every template above, for the translation catalogs (the web marks each one).
TEMPLATES = (
    LANE_OVERLAP, LANE_OVERLAP_FIX, TWO_RUNNING, TWO_RUNNING_FIX, SEGMENT_OVERLAP,
    SEGMENT_OVERLAP_FIX, MISSING_MODIFIER, MISSING_MODIFIER_FIX, ADDED_WITHOUT, ADDED_WITHOUT_FIX,
    STILL_RUNNING,
    STILL_RUNNING_FIX, STALE, STALE_FIX, DELETED, DELETED_FIX,
)

Params = Mapping[str, str | int]


@dataclass(frozen=True)
class Refusal:
    """One broken rule: templates and the values they name."""

    template: str
    fix: str
    params: Params = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)

    @property
    def fix_text(self) -> str:
        return self.fix.format(**self.params)


def lane_of(scheme: Scheme, code_id: str) -> list[str]:
    """The state codes that share a lane with ``code_id``: its exclusive group, or itself."""
    group = scheme.exclusive_group_of(code_id)
    return list(group.codes) if group else [code_id]


def lane_refusals(event: Event, lane: Iterable[Event], scheme: Scheme) -> list[Refusal]:
    """Why ``event`` may not stand beside the other states of its lane (``lane``: any events;
    only states of its subject and lane, other than itself, count)."""
    code = scheme.code(event.code)
    if code is None or code.kind != "state":
        return []
    codes = set(lane_of(scheme, code.id))
    out = []
    for other in lane:
        if other.id == event.id or other.subject != event.subject or other.code not in codes:
            continue
        refusal = _clash(event, other)
        if refusal is not None:
            out.append(refusal)
    return out


def _clash(event: Event, other: Event) -> Refusal | None:
    params: dict[str, str | int] = {"code": event.code, "other": other.code,
                                    "subject": event.subject, "onset": event.onset_ms,
                                    "start": other.onset_ms, "end": other.offset_ms or ""}
    if event.offset_ms is None and other.offset_ms is None:
        return Refusal(TWO_RUNNING, TWO_RUNNING_FIX, params)
    if event.offset_ms is None:
        assert other.offset_ms is not None
        hit = other.onset_ms <= event.onset_ms < other.offset_ms
    elif other.offset_ms is None:
        hit = event.onset_ms <= other.onset_ms < event.offset_ms
        params.update(start=other.onset_ms, end="…")
    else:
        hit = other.onset_ms < event.offset_ms and event.onset_ms < other.offset_ms
    return Refusal(LANE_OVERLAP, LANE_OVERLAP_FIX, params) if hit else None


def segment_refusals(segment: Segment, others: Iterable[Segment]) -> list[Refusal]:
    """Why ``segment`` may not stand beside the session's other segments."""
    return [
        Refusal(SEGMENT_OVERLAP, SEGMENT_OVERLAP_FIX, {
            "name": segment.name, "start": segment.start_ms, "end": segment.end_ms,
            "other": o.name, "other_start": o.start_ms, "other_end": o.end_ms})
        for o in others
        if o.id != segment.id and o.start_ms < segment.end_ms and segment.start_ms < o.end_ms
    ]


def required_missing(event: Event, scheme: Scheme) -> list[str]:
    """The required modifier sets ``event`` lacks. A set asked when a state stops is only due
    once the state has an end."""
    code = scheme.code(event.code)
    if code is None:
        return []
    out = []
    for set_id in code.modifiers:
        mset = scheme.modifier_set(set_id)
        if mset is None or not mset.required or event.modifiers.get(set_id) not in (None, [], ""):
            continue
        due = code.kind == "point" or mset.ask_at == "start" or event.offset_ms is not None
        if due:
            out.append(set_id)
    return out


def removed_required(before: Event, after: Event, scheme: Scheme) -> list[Refusal]:
    """An edit that takes away a required modifier the event had."""
    lost = set(required_missing(after, scheme)) - set(required_missing(before, scheme))
    return [Refusal(MISSING_MODIFIER, MISSING_MODIFIER_FIX,
                    {"code": after.code, "onset": after.onset_ms, "modifier": m})
            for m in sorted(lost)]


def added_without_required(event: Event, scheme: Scheme) -> list[Refusal]:
    """A new event sent without a required modifier that is due (the screen holds a key's event
    until its pop-up is answered and sends both at once, so only another client sends this)."""
    return [Refusal(ADDED_WITHOUT, ADDED_WITHOUT_FIX,
                    {"code": event.code, "onset": event.onset_ms, "modifier": m})
            for m in required_missing(event, scheme)]


def submit_refusals(events: Sequence[Event], scheme: Scheme) -> list[Refusal]:
    """Why a coding with these events may not be submitted: states running, required
    modifiers missing."""
    running = [e for e in events if e.offset_ms is None
               and (code := scheme.code(e.code)) is not None and code.kind == "state"]
    out = []
    if running:
        first = min(running, key=lambda e: e.onset_ms)
        out.append(Refusal(STILL_RUNNING, STILL_RUNNING_FIX,
                           {"count": len(running), "code": first.code, "onset": first.onset_ms}))
    for event in events:
        out += [Refusal(MISSING_MODIFIER, MISSING_MODIFIER_FIX,
                        {"code": event.code, "onset": event.onset_ms, "modifier": m})
                for m in required_missing(event, scheme)]
    return out


def close_running(events: pd.DataFrame, scheme: Scheme, until_ms: int | np.ndarray,
                  coding_col: str | None = None) -> tuple[pd.DataFrame, int]:
    """The event table (``events_frame`` columns) with every running state ended, for a
    provisional score: at ``until_ms`` (the playhead, or the end of the media), or sooner at
    the next state of its lane for its subject, and never before its onset (``until_ms`` per
    row, or one for all). Returns the
    table and how many states were ended (0: nothing is provisional)."""
    kinds = {c.id: c.kind for c in scheme.codes}
    is_state = events["code"].map(kinds).eq("state").to_numpy(dtype=bool)
    running = is_state & events["offset_ms"].isna().to_numpy()
    if not running.any():
        return events, 0
    lane = events["code"].map({c: lane_of(scheme, c)[0] for c in kinds}).fillna(events["code"])
    keys = [*([coding_col] if coding_col else []), "subject"]
    onset = events["onset_ms"].to_numpy(dtype="int64")
    ends = np.broadcast_to(np.asarray(until_ms, dtype="int64"), (len(events),)).copy()
    groups = events[keys].assign(_lane=lane.to_numpy()).reset_index(drop=True)[is_state]
    for rows in groups.groupby(list(groups.columns), sort=False).indices.values():
        positions = groups.index.to_numpy()[rows]
        starts = np.sort(onset[positions])
        for pos in positions[running[positions]]:
            later = starts[starts > onset[pos]]
            if len(later):
                ends[pos] = min(ends[pos], int(later[0]))
    offset = events["offset_ms"].astype("Int64").copy()
    offset[running] = np.maximum(ends[running], onset[running])
    return events.assign(offset_ms=offset), int(running.sum())
