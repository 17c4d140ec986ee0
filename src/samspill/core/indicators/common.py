"""Building blocks shared by the indicators: scopes, grouped medians, the shared context (the
windowed look-ups are in :mod:`samspill.core.indicators.lookups`).

Every indicator works on *units* (an episode of need, a bid, a hold bout, ...). A unit belongs
to its coding's whole-session scope, to the segment holding its onset, and, when that segment
is a reunion, to the coding's ``reunions`` scope. Units are computed once over the whole
session, so an answer just across a segment boundary still counts, and then aggregated.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from samspill.core.arrays import BoolArray, Int64Array
from samspill.core.categorical import code_mask, positions, select
from samspill.core.indicators.lookups import first_answers
from samspill.core.indicators.settings import IndicatorSettings
from samspill.core.intervals import IntervalSet, coding_order, containing, normalise
from samspill.core.timeline import Timeline, presence

TEN_MINUTES_MS = 600_000
T = TypeVar("T")
Columns = dict[str, np.ndarray]
SCOPE_COLUMNS = ["coding", "scope", "segment_id", "name", "role", "start_ms", "end_ms",
                 "observed_ms", "present_ms", "outside_ms"]
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
    session_of: Int64Array
    segment_of: Int64Array
    reunion_of: Int64Array
    reunion_segment: BoolArray
    period_start: Int64Array
    period_end: Int64Array

    def explode(self, coding: np.ndarray, segment: np.ndarray, time: np.ndarray,
                session: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(unit row, scope) pairs for units of given coding, segment (``-1``: none) and time.

        A unit counts for its whole session only inside the coding's observed period.
        """
        n = np.arange(len(coding))
        has_seg = segment >= 0
        seg = segment[has_seg]
        reunion = self.reunion_of[coding[has_seg]]
        in_re = self.reunion_segment[seg]
        parts_rows = [n[has_seg], n[has_seg][in_re]]
        parts_scope = [self.segment_of[seg], reunion[in_re]]
        if session:
            inside = self.in_period(coding, time)
            parts_rows.insert(0, n[inside])
            parts_scope.insert(0, self.session_of[coding[inside]])
        return np.concatenate(parts_rows), np.concatenate(parts_scope)

    def in_period(self, coding: Int64Array, time: np.ndarray) -> BoolArray:
        return (time >= self.period_start[coding]) & (time < self.period_end[coding])

    def total(self, values: np.ndarray, coding: np.ndarray, segment: np.ndarray,
              time: np.ndarray, session: bool = True) -> np.ndarray:
        """Sum of ``values`` per scope."""
        rows, scope = self.explode(coding, segment, time, session)
        return np.bincount(scope, weights=np.asarray(values, dtype="float64")[rows],
                           minlength=len(self.table))

    def count(self, mask: np.ndarray, coding: np.ndarray, segment: np.ndarray,
              time: np.ndarray) -> np.ndarray:
        return self.total(mask.astype("float64"), coding, segment, time).astype("int64")

    def median(self, values: np.ndarray, coding: np.ndarray, segment: np.ndarray,
               time: np.ndarray) -> np.ndarray:
        """Median of ``values`` per scope; NaN where a scope has none."""
        rows, scope = self.explode(coding, segment, time)
        return group_median(np.asarray(values, dtype="float64")[rows], scope, len(self.table))

    def from_parts(self, session: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """A per-scope array from per-coding and per-segment values (reunions: their sum)."""
        out = np.zeros(len(self.table), dtype=np.result_type(session, segment, "int64"))
        out[self.session_of] = session
        out[self.segment_of] = segment
        reunions = self.reunion_segment
        if reunions.any():
            coding = self.table["coding"].to_numpy()[self.segment_of[reunions]]
            np.add.at(out, self.reunion_of[coding], segment[reunions])
        return out


def build_scopes(timeline: Timeline) -> Scopes:
    """Whole session, each segment, and the reunions together (when a coding has any)."""
    sessions, seg = timeline.sessions, timeline.segments
    n_sessions, n_segments = len(sessions), len(seg)
    reunion = (seg["role"] == "reunion").to_numpy()
    re_codings, re_columns = _reunion_scopes(seg, reunion)
    n_re = len(re_codings)
    start = sessions["period_start_ms"].to_numpy(dtype="int64")
    end = sessions["period_end_ms"].to_numpy(dtype="int64")
    duration = sessions["duration_ms"].to_numpy(dtype="int64")
    # With segments marked, the session scope covers their span; the rest of the recording
    # is outside the observation and must be said.
    whole = {"coding": np.arange(n_sessions), "scope": "session", "segment_id": None,
             "name": "Whole session", "role": None, "start_ms": start, "end_ms": end,
             "observed_ms": end - start, "present_ms": sessions["present_ms"].to_numpy(),
             "outside_ms": duration - (end - start)}
    parts = {c: seg[c].to_numpy() for c in SCOPE_COLUMNS if c in seg} | {
        "scope": "segment", "outside_ms": 0}
    reunions = re_columns | {"coding": re_codings, "scope": "reunions", "segment_id": None,
                             "name": "Reunions", "role": "reunion", "outside_ms": 0}
    columns = {c: np.concatenate([_column(part[c], n) for part, n in (
        (whole, n_sessions), (parts, n_segments), (reunions, n_re))]) for c in SCOPE_COLUMNS}
    table = pd.DataFrame({k: pd.Series(v, dtype=object) if v.dtype == object else
                          v.astype("int64") for k, v in columns.items()})
    reunion_of = np.full(n_sessions, -1, dtype="int64")
    reunion_of[re_codings] = n_sessions + n_segments + np.arange(n_re)
    return Scopes(table, np.arange(n_sessions), n_sessions + np.arange(n_segments), reunion_of,
                  reunion, start, end)


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
    """Points and state onsets of ``codes`` by ``subject``, sorted by coding then time
    (points before states at the same time, each in their table's order)."""
    return timeline.memo(("onsets", subject, tuple(codes)),
                         lambda: _of_codes(_subject_onsets(timeline, subject), codes))


@dataclass(frozen=True)
class _SubjectOnsets:
    """All of a subject's points and state onsets, merged and sorted once per timeline;
    ``code`` as integer codes of ``names`` (``-1``: none)."""

    onsets: Onsets
    code: np.ndarray
    names: pd.Index


def _subject_onsets(timeline: Timeline, subject: str) -> _SubjectOnsets:
    def make() -> _SubjectOnsets:
        pts, sts = timeline.points, timeline.states
        names = pts["code"].cat.categories  # shared by both tables (see ``_split``)
        p = select(pts, subject=subject, codes=names)
        q = select(sts, subject=subject, codes=names)
        coding = np.concatenate([pts["coding"].to_numpy()[p], sts["coding"].to_numpy()[q]])
        time = np.concatenate([pts["time_ms"].to_numpy()[p], sts["onset_ms"].to_numpy()[q]])
        # Stable: the subset of any codes keeps the order a sort of that subset would give.
        order = coding_order(coding, time, timeline.stride)

        def both(column: str) -> np.ndarray:
            return np.concatenate([pts[column].to_numpy()[p], sts[column].to_numpy()[q]])[order]

        code = np.concatenate([pts["code"].cat.codes.to_numpy()[p],
                               sts["code"].cat.codes.to_numpy()[q]])[order].astype("int64")
        modifiers = np.concatenate([pts["modifiers"].to_numpy(dtype=object)[p],
                                    np.full(int(q.sum()), None, dtype=object)])[order]
        label = np.concatenate([np.asarray(names, dtype=object),
                                np.array([None], dtype=object)])[code]
        return _SubjectOnsets(Onsets(coding[order], both("row"), label, time[order],
                                     both("segment"), modifiers), code, names)

    return timeline.memo(("subject onsets", subject), make)


def _of_codes(found: _SubjectOnsets, codes: Sequence[str]) -> Onsets:
    wanted = positions(found.names, codes)
    return found.onsets.select(code_mask(found.code, wanted, len(found.names)))


def modifier_values(modifiers: np.ndarray, key: str) -> np.ndarray:
    """One modifier's option per event (``None`` when absent); lists give their first item.

    When events share their modifier objects (the columnar cohort parses each distinct set
    once), each shared object is read once and the answers are spread by position.
    """
    probe = modifiers[:256]
    if len(probe) >= 16 and len({id(m) for m in probe}) * 2 < len(probe):
        ids = np.fromiter(map(id, modifiers), dtype="int64", count=len(modifiers))
        _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        shared: np.ndarray = _modifier_values(modifiers[first], key)[inverse]
        return shared
    return _modifier_values(modifiers, key)


def _modifier_values(modifiers: np.ndarray, key: str) -> np.ndarray:
    try:
        values = [m.get(key) for m in modifiers]  # the common case: every entry a dict
    except AttributeError:
        values = [m.get(key) if isinstance(m, dict) else None for m in modifiers]
    if list in set(map(type, values)):
        values = [(v[0] if v else None) if isinstance(v, list) else v for v in values]
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


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
    """What one measure reports: its value and count columns, and its state columns.

    ``kind`` is ``sign`` for the five signs of withdrawal and ``qualifier`` for hostility,
    which qualifies the profile and is never counted as a sign.
    """

    id: str
    title: str
    values: tuple[str, ...]
    counts: tuple[str, ...]
    kind: str = "sign"

    @property
    def flag(self) -> str:
        """True only when present (for the qualifier: when hostility is low)."""
        return "low_hostility_flag" if self.kind == "qualifier" else f"{self.id}_flag"

    @property
    def state(self) -> str:
        return f"{self.id}_qualifier" if self.kind == "qualifier" else f"{self.id}_state"

    @property
    def reason(self) -> str:
        return f"{self.id}_reason"

    @property
    def stability(self) -> str:
        return f"{self.id}_stability"


@dataclass(frozen=True)
class Context:
    """Inputs every measure reads: the timeline, its scopes, the settings, and what is shared.

    ``bids`` are the child's bids with ``kind`` (the bid's kind modifier) and ``present``
    (False when the caregiver was out of the room at the bid). ``presence`` is when the
    caregiver is in the room within the observed period; ``holds`` when the child is held.
    """

    timeline: Timeline
    scopes: Scopes
    settings: IndicatorSettings
    hostile_codes: tuple[str, ...]
    bids: Onsets
    presence: IntervalSet
    holds: IntervalSet
    evidence: bool = True
    # What several signs derive alike (the same acts, the same bids' answers), once.
    _memo: dict[Hashable, Any] = field(default_factory=dict, init=False, compare=False,
                                       repr=False)

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed once per context and key (a context never changes)."""
        if key not in self._memo:
            self._memo[key] = make()
        found: T = self._memo[key]
        return found

    @property
    def stride(self) -> int:
        return self.timeline.stride

    @property
    def present_ms(self) -> np.ndarray:
        return self.scopes.table["present_ms"].to_numpy()

    def presence_checks(self) -> list[tuple[np.ndarray, str]]:
        """The reasons no sign can be observed in a scope, whatever the sign."""
        present = self.present_ms
        return [(present == 0, "caregiver_absent"),
                (present < self.settings.min_present_ms, "too_short")]

    def present_at(self, coding: np.ndarray, time: np.ndarray) -> np.ndarray:
        """In the room and inside the observed period at ``time``."""
        return containing(self.presence, coding, time, self.stride) >= 0

    def in_contact(self, coding: np.ndarray, time: np.ndarray) -> np.ndarray:
        """Held at ``time`` by a hold that began before it (a hold starting then answers)."""
        idx = containing(self.holds, coding, time, self.stride)
        start = take(self.holds.start, idx, np.inf)
        return (idx >= 0) & (start < time)

    def window_end(self, coding: Int64Array, time: Int64Array, width: int) -> Int64Array:
        """Where a window of ``width`` after ``time`` ends: at ``time + width``, or earlier
        when the caregiver leaves or the observed period ends (then the window is cut)."""
        idx = containing(self.presence, coding, time, self.stride)
        leaves = take(self.presence.end, idx, 0).astype("int64")
        return np.minimum(time + width, np.where(idx >= 0, leaves, time))

    def first_reactions(self, coding: Int64Array, time: Int64Array, limit: Int64Array,
                        target_coding: Int64Array, target_time: Int64Array) -> Int64Array:
        """Each unit's first reaction among the targets (see :func:`first_answers`), decided
        in one chain with every bid the child made while the caregiver was present: a
        reaction coded just before a unit that already answered an earlier bid is that
        bid's, not this unit's."""
        s = self.settings
        bids = self.bids.select(self.bids.present)
        bid_limit = self.window_end(bids.coding, bids.time_ms, s.response_window_ms)
        hits = first_answers(np.concatenate([bids.coding, coding]),
                             np.concatenate([bids.time_ms, time]),
                             np.concatenate([bid_limit, limit]), target_coding, target_time,
                             s.timing_tolerance_ms, self.stride)
        return hits[len(bids):]

    def acts(self, codes: Sequence[str], *, muted: bool = True) -> Onsets:
        """The caregiver's events of ``codes``; ``muted=False`` leaves out muted answers."""
        s = self.settings
        found = onsets(self.timeline, s.caregiver, codes)
        if muted or not len(found):
            return found

        def loud() -> Onsets:
            kept = modifier_values(found.modifiers, s.intensity_modifier) != s.muted_option
            return found.select(np.asarray(kept, dtype=bool))

        return self.memo(("loud acts", tuple(codes)), loud)


def make_context(timeline: Timeline, scopes: Scopes, settings: IndicatorSettings,
                 hostile_codes: tuple[str, ...], *, evidence: bool = True) -> Context:
    s = settings
    bids = onsets(timeline, s.child, [s.bid_code])
    kind = modifier_values(bids.modifiers, s.bid_kind_modifier)
    held = timeline.states[select(timeline.states, subject=s.caregiver, codes=[s.hold_code])]
    holds = normalise(held["coding"].to_numpy(), held["onset_ms"].to_numpy(),
                      held["offset_ms"].to_numpy(), timeline.stride)
    ctx = Context(timeline, scopes, settings, hostile_codes, bids, presence(timeline), holds,
                  evidence)
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
