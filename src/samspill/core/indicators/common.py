"""Building blocks shared by the indicators: scopes, windowed look-ups, grouped medians.

Every indicator works on *units* (an episode of need, a bid, a hold bout, ...). A unit belongs
to its coding's whole-session scope, to the segment holding its onset, and, when that segment
is a reunion, to the coding's ``reunions`` scope. Units are computed once over the whole
session, so an answer just across a segment boundary still counts, and then aggregated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from samspill.core.indicators.settings import IndicatorSettings
from samspill.core.timeline import Timeline, select

TEN_MINUTES_MS = 600_000
Columns = dict[str, np.ndarray]
SCOPE_COLUMNS = ["coding", "scope", "segment_id", "name", "role", "start_ms", "end_ms",
                 "observed_ms", "present_ms"]
EVIDENCE_COLUMNS = ["coding", "indicator", "segment", "event_id", "time_ms", "note", "value_ms",
                    "related_event_id", "related_time_ms"]
# Internally evidence names events by their input row; ids are looked up once at the end.
EVIDENCE_ROWS = ["coding", "indicator", "segment", "row", "time_ms", "note", "value_ms",
                 "related_row", "related_time_ms"]


@dataclass(frozen=True)
class Scopes:
    """The scopes results are reported for, and how units map onto them.

    ``table`` has one row per scope (its index is the scope number) with the columns of
    :data:`SCOPE_COLUMNS`; ``scope`` is ``session``, ``segment`` or ``reunions``.
    """

    table: pd.DataFrame
    session_of: np.ndarray
    segment_of: np.ndarray
    reunion_of: np.ndarray
    reunion_segment: np.ndarray

    def explode(self, coding: np.ndarray, segment: np.ndarray,
                session: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(unit row, scope) pairs for units of given coding and segment (``-1``: none)."""
        n = np.arange(len(coding))
        has_seg = segment >= 0
        seg = segment[has_seg]
        reunion = self.reunion_of[coding[has_seg]]
        in_re = self.reunion_segment[seg]
        parts_rows = [n[has_seg], n[has_seg][in_re]]
        parts_scope = [self.segment_of[seg], reunion[in_re]]
        if session:
            parts_rows.insert(0, n)
            parts_scope.insert(0, self.session_of[coding])
        return np.concatenate(parts_rows), np.concatenate(parts_scope)

    def total(self, values: np.ndarray, coding: np.ndarray, segment: np.ndarray,
              session: bool = True) -> np.ndarray:
        """Sum of ``values`` per scope."""
        rows, scope = self.explode(coding, segment, session)
        return np.bincount(scope, weights=np.asarray(values, dtype="float64")[rows],
                           minlength=len(self.table))

    def count(self, mask: np.ndarray, coding: np.ndarray, segment: np.ndarray) -> np.ndarray:
        return self.total(mask.astype("float64"), coding, segment).astype("int64")

    def median(self, values: np.ndarray, coding: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """Median of ``values`` per scope; NaN where a scope has none."""
        rows, scope = self.explode(coding, segment)
        return group_median(np.asarray(values, dtype="float64")[rows], scope, len(self.table))


def build_scopes(timeline: Timeline) -> Scopes:
    """Whole session, each segment, and the reunions together (when a coding has any)."""
    sessions, seg = timeline.sessions, timeline.segments
    n_sessions, n_segments = len(sessions), len(seg)
    reunion = (seg["role"] == "reunion").to_numpy()
    re_codings, re_columns = _reunion_scopes(seg, reunion)
    n_re = len(re_codings)
    duration = sessions["duration_ms"].to_numpy(dtype="int64")
    whole = {"coding": np.arange(n_sessions), "scope": "session", "segment_id": None,
             "name": "Whole session", "role": None, "start_ms": 0, "end_ms": duration,
             "observed_ms": duration, "present_ms": sessions["present_ms"].to_numpy()}
    parts = {c: seg[c].to_numpy() for c in SCOPE_COLUMNS if c in seg} | {"scope": "segment"}
    reunions = re_columns | {"coding": re_codings, "scope": "reunions", "segment_id": None,
                             "name": "Reunions", "role": "reunion"}
    columns = {c: np.concatenate([_column(part[c], n) for part, n in (
        (whole, n_sessions), (parts, n_segments), (reunions, n_re))]) for c in SCOPE_COLUMNS}
    table = pd.DataFrame({k: pd.Series(v, dtype=object) if v.dtype == object else
                          v.astype("int64") for k, v in columns.items()})
    reunion_of = np.full(n_sessions, -1, dtype="int64")
    reunion_of[re_codings] = n_sessions + n_segments + np.arange(n_re)
    return Scopes(table, np.arange(n_sessions), n_sessions + np.arange(n_segments), reunion_of,
                  reunion)


def _column(value: object, n: int) -> np.ndarray:
    """An array of length ``n`` from an array or one value repeated."""
    if isinstance(value, np.ndarray):
        return value.astype(object) if value.dtype.kind in "OUS" else value
    return np.full(n, value, dtype=object if value is None or isinstance(value, str) else "int64")


def _reunion_scopes(seg: pd.DataFrame, reunion: np.ndarray) -> tuple[np.ndarray, Columns]:
    """Codings with reunions, and their span, observed and present time over all reunions."""
    coding = seg["coding"].to_numpy(dtype="int64")[reunion]
    codings = np.unique(coding)
    slot = np.searchsorted(codings, coding)
    out: Columns = {}
    for column, how in (("start_ms", np.minimum), ("end_ms", np.maximum),
                        ("observed_ms", np.add), ("present_ms", np.add)):
        values = seg[column].to_numpy(dtype="int64")[reunion]
        start = values.max() if how is np.minimum and len(values) else 0
        out[column] = np.full(len(codings), start, dtype="int64")
        how.at(out[column], slot, values)
    return codings, out


def group_median(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Median per group by one sort (NaN for empty groups)."""
    order = np.lexsort((values, group))
    v = values[order]
    counts = np.bincount(group, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    out = np.full(n_groups, np.nan)
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = (v[lo] + v[hi]) / 2
    return out


def first_within(query_coding: np.ndarray, query_time: np.ndarray, target_coding: np.ndarray,
                 target_time: np.ndarray, window_ms: float, stride: int) -> np.ndarray:
    """Index of the first target at or after each query time, at most ``window_ms`` later.

    Targets must be sorted by (coding, time). ``-1`` where there is none.
    """
    if not len(target_time):
        return np.full(len(query_time), -1, dtype="int64")
    keys = target_coding * stride + target_time
    idx = np.searchsorted(keys, query_coding * stride + query_time, side="left")
    safe = np.minimum(idx, len(keys) - 1)
    ok = ((idx < len(keys)) & (target_coding[safe] == query_coding)
          & (target_time[safe] - query_time <= window_ms))
    return np.where(ok, safe, -1)


def inside_states(query_coding: np.ndarray, query_time: np.ndarray, states: pd.DataFrame,
                  stride: int) -> np.ndarray:
    """Whether each time lies inside one of ``states`` (non-overlapping per coding)."""
    if not len(states):
        return np.zeros(len(query_time), dtype=bool)
    states = states.sort_values(["coding", "onset_ms"])
    coding = states["coding"].to_numpy()
    keys = coding * stride + states["onset_ms"].to_numpy()
    idx = np.searchsorted(keys, query_coding * stride + query_time, side="right") - 1
    safe = np.clip(idx, 0, None)
    return ((idx >= 0) & (coding[safe] == query_coding)
            & (query_time < states["offset_ms"].to_numpy()[safe]))


@dataclass(frozen=True)
class Onsets:
    """Points and state onsets as aligned numpy columns, sorted by coding then time.

    ``row`` is the event's input row (see ``Timeline.event_ids``); ``modifiers`` is None for
    states; ``kind`` and ``present`` are filled for the child's bids
    (the bid's kind, and whether the caregiver was in the room).
    """

    coding: np.ndarray
    row: np.ndarray
    code: np.ndarray
    time_ms: np.ndarray
    segment: np.ndarray
    modifiers: np.ndarray
    kind: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    present: np.ndarray = field(default_factory=lambda: np.array([], dtype=bool))

    def __len__(self) -> int:
        return len(self.time_ms)

    def select(self, mask: np.ndarray) -> Onsets:
        def pick(values: np.ndarray) -> np.ndarray:
            return values[mask] if len(values) == len(self) else values

        return Onsets(self.coding[mask], self.row[mask], self.code[mask], self.time_ms[mask],
                      self.segment[mask], self.modifiers[mask], pick(self.kind),
                      pick(self.present))


def onsets(timeline: Timeline, subject: str, codes: Sequence[str]) -> Onsets:
    """Points and state onsets of ``codes`` by ``subject``, sorted by coding then time."""
    pts, sts = timeline.points, timeline.states
    p = select(pts, subject=subject, codes=codes)
    q = select(sts, subject=subject, codes=codes)
    coding = np.concatenate([pts["coding"].to_numpy()[p], sts["coding"].to_numpy()[q]])
    time = np.concatenate([pts["time_ms"].to_numpy()[p], sts["onset_ms"].to_numpy()[q]])
    order = np.lexsort((time, coding))

    def both(column: str) -> np.ndarray:
        return np.concatenate([pts[column].to_numpy()[p], sts[column].to_numpy()[q]])[order]

    def code_names(table: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
        col = table["code"]
        names = np.asarray(col.cat.categories, dtype=object)
        return np.concatenate([names, np.array([None], dtype=object)])[
            col.cat.codes.to_numpy()[mask]]

    code = np.concatenate([code_names(pts, p), code_names(sts, q)])[order]
    modifiers = np.concatenate([pts["modifiers"].to_numpy(dtype=object)[p],
                                np.full(int(q.sum()), None, dtype=object)])
    return Onsets(coding[order], both("row"), code, time[order], both("segment"),
                  modifiers[order])


def modifier_values(modifiers: np.ndarray, key: str) -> np.ndarray:
    """One modifier's option per event (``None`` when absent); lists give their first item."""
    try:
        values = [m.get(key) for m in modifiers]  # the common case: every entry a dict
    except AttributeError:
        values = [m.get(key) if isinstance(m, dict) else None for m in modifiers]
    if list in set(map(type, values)):
        values = [(v[0] if v else None) if isinstance(v, list) else v for v in values]
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def present_absent(timeline: Timeline, caregiver: str, absent_code: str) -> pd.DataFrame:
    return timeline.states[select(timeline.states, subject=caregiver, codes=[absent_code])]


def evidence_rows(indicator: str, coding: np.ndarray, segment: np.ndarray, row: np.ndarray,
                  time_ms: np.ndarray, note: np.ndarray | str, value_ms: np.ndarray | None = None,
                  related_row: np.ndarray | None = None,
                  related_time: np.ndarray | None = None) -> Columns:
    """Evidence as aligned arrays named as in :data:`EVIDENCE_ROWS` (``-1``: no related row)."""
    n = len(coding)
    nan = np.full(n, np.nan)
    return {
        "coding": np.asarray(coding, dtype="int64"),
        "indicator": np.full(n, indicator, dtype=object),
        "segment": np.asarray(segment, dtype="int64"), "row": np.asarray(row, dtype="int64"),
        "time_ms": np.asarray(time_ms),
        "note": np.full(n, note, dtype=object) if isinstance(note, str) else np.asarray(
            note, dtype=object),
        "value_ms": nan if value_ms is None else np.asarray(value_ms, dtype="float64"),
        "related_row": np.full(n, -1, "int64") if related_row is None else np.asarray(
            related_row, dtype="int64"),
        "related_time_ms": nan if related_time is None else np.asarray(related_time, "float64"),
    }


def take_row(rows: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``rows[idx]`` where ``idx >= 0``, else ``-1``."""
    if not len(rows):
        return np.full(len(idx), -1, dtype="int64")
    return np.where(idx >= 0, rows[np.maximum(idx, 0)], -1)


def concat_columns(parts: Sequence[Columns]) -> Columns:
    """Stack tables of aligned arrays that share their column names."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def rate_per_10min(count: np.ndarray, present_ms: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(present_ms > 0, count * TEN_MINUTES_MS / present_ms, np.nan)


def share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


@dataclass(frozen=True)
class IndicatorSpec:
    """What one indicator reports: its value columns, count columns and flag column."""

    id: str
    title: str
    values: tuple[str, ...]
    counts: tuple[str, ...]

    @property
    def flag(self) -> str:
        return f"{self.id}_flag"


@dataclass(frozen=True)
class Context:
    """Inputs every indicator reads: the timeline, its scopes, the settings, the child's bids.

    ``bids`` are the child's bids with ``kind`` (the bid's kind modifier) and ``present``
    (False when the caregiver was absent at the bid).
    """

    timeline: Timeline
    scopes: Scopes
    settings: IndicatorSettings
    hostile_codes: tuple[str, ...]
    bids: Onsets

    @property
    def stride(self) -> int:
        return self.timeline.stride

    def present_at(self, coding: np.ndarray, time: np.ndarray) -> np.ndarray:
        s = self.settings
        absent = present_absent(self.timeline, s.caregiver, s.absent_code)
        return ~inside_states(coding, time, absent, self.stride)


def make_context(timeline: Timeline, scopes: Scopes, settings: IndicatorSettings,
                 hostile_codes: tuple[str, ...]) -> Context:
    s = settings
    bids = onsets(timeline, s.child, [s.bid_code])
    kind = modifier_values(bids.modifiers, s.bid_kind_modifier)
    ctx = Context(timeline, scopes, settings, hostile_codes, bids)
    present = ctx.present_at(bids.coding, bids.time_ms)
    return replace(ctx, bids=replace(bids, kind=kind, present=present))


def take(values: np.ndarray, idx: np.ndarray, fill: float) -> np.ndarray:
    """``values[idx]`` where ``idx >= 0``, else ``fill`` (also when ``values`` is empty)."""
    if not len(values):
        return np.full(len(idx), fill, dtype="float64")
    return np.asarray(np.where(idx >= 0, values[np.maximum(idx, 0)], fill))


def group_max(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Maximum of each run of ``values`` beginning at the sorted positions ``starts``."""
    if not len(starts):
        return np.array([], dtype=values.dtype)
    return np.maximum.reduceat(values, starts)
