"""A coding's events as typed tables: points, states, states clipped to segments, presence.

Many codings can be laid out at once (the cohort path): every table carries an integer
``coding`` (the position of the coding's label in :attr:`Timeline.labels`) and every lookup is
vectorised over the whole batch, keyed by ``coding * stride + time``.

Rules
-----
* An event belongs to the segment holding its onset; segments are half-open ``[start, end)``.
  ``segment`` is the row of :attr:`Timeline.segments` (``-1``: outside every segment).
* States are clipped to each segment they overlap in :attr:`Timeline.intervals`.
* The *observed period* of a coding is its whole recording, or, when it has segments, the span
  from the first segment's start to the last one's end (the procedure that was scored).
* The caregiver is *absent* as :mod:`samspill.core.absences` lays down (an ``absent`` state,
  a ``leave`` to her return, a separation segment, the time before a lone ``return``). Time
  *present* is observed time minus absent time.
* Events are screened first (:mod:`samspill.core.event_screen`): every problem is named.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from samspill.core.absences import caregiver_absences
from samspill.core.arrays import BoolArray, Int64Array
from samspill.core.categorical import Coded
from samspill.core.errors import N_, InputError
from samspill.core.event_screen import raise_on_problems
from samspill.core.intervals import (
    IntervalSet,
    coding_order,
    measure_between,
    subtract,
)
from samspill.core.scheme import Scheme

T = TypeVar("T")
EVENT_NEEDS = ["event_id", "subject", "code", "onset_ms", "offset_ms", "modifiers"]
SEGMENT_NEEDS = ["segment_id", "name", "role", "start_ms", "end_ms"]


@dataclass(frozen=True)
class Timeline:
    """The typed tables of one or many codings.

    Attributes
    ----------
    points : DataFrame
        One row per point event: ``coding, event_id, row, subject, code, time_ms, segment,
        modifiers``, sorted by coding then time. ``row`` is the event's row in the input
        table; ``subject`` and ``code`` are categoricals sharing their categories across
        tables.
    states : DataFrame
        One row per state event: ``coding, event_id, row, subject, code, onset_ms, offset_ms,
        duration_ms, segment`` (segment of the onset), sorted by coding then onset.
    intervals : DataFrame
        States clipped to segments, one row per state × segment it overlaps: ``coding,
        event_id, row, subject, code, segment, onset_ms, offset_ms, duration_ms``.
    segments : DataFrame
        ``coding, segment, segment_id, spec_id, name, role, start_ms, end_ms, observed_ms,
        absent_ms, present_ms``; ``segment`` is the row number.
    sessions : DataFrame
        ``coding, label, duration_ms, period_start_ms, period_end_ms, observed_ms, absent_ms,
        present_ms``, one row per coding; the period is the observed period (see above).
    absences : IntervalSet
        When the caregiver is out of the room, per coding (normal: sorted, disjoint).
    labels : tuple
        The codings' labels, in ``coding`` order.
    event_ids : ExtensionArray
        The input's ``event_id`` column; ``row`` in the tables indexes it.
    """

    points: pd.DataFrame
    states: pd.DataFrame
    intervals: pd.DataFrame
    segments: pd.DataFrame
    sessions: pd.DataFrame
    labels: tuple[Hashable, ...]
    event_ids: Any = None
    absences: IntervalSet = field(default_factory=IntervalSet.empty)
    # Derived arrays the indicators ask for more than once (see ``memo``); never compared.
    _memo: dict[Hashable, Any] = field(default_factory=dict, init=False, compare=False,
                                       repr=False)

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed once per timeline and key: a timeline never changes, so
        what is derived from it (a subject's onsets, say) can be shared by every sign."""
        if key not in self._memo:
            self._memo[key] = make()
        found: T = self._memo[key]
        return found

    @property
    def stride(self) -> int:
        """Time span per coding in the combined keys; larger than any session."""
        return self.memo("stride", lambda: int(self.sessions["duration_ms"].max()) + 1
                         if len(self.sessions) else 1)


def build_timeline(
    events: pd.DataFrame, segments: pd.DataFrame, *, scheme: Scheme, duration_ms: int,
    caregiver: str = "caregiver", absent_code: str = "absent", leave_code: str = "leave",
    return_code: str = "return",
) -> Timeline:
    """The timeline of one coding (``events_frame`` and ``segments_frame`` tables).

    Raises :class:`EventError` listing every problem (unknown code, unclosed state, overlap in
    an exclusive group, time beyond ``duration_ms``) and :class:`InputError` for bad segments.
    """
    return build_timelines(
        events.assign(coding=0), segments.assign(coding=0), scheme=scheme,
        durations={0: duration_ms}, caregiver=caregiver, absent_code=absent_code,
        leave_code=leave_code, return_code=return_code)


def build_timelines(
    events: pd.DataFrame, segments: pd.DataFrame, *, scheme: Scheme,
    durations: Mapping[Hashable, int] | pd.Series, coding_col: str = "coding",
    caregiver: str = "caregiver", absent_code: str = "absent", leave_code: str = "leave",
    return_code: str = "return",
) -> Timeline:
    """The timelines of many codings at once; ``coding_col`` names each row's coding.

    ``durations`` maps every coding label to its session length in ms; its order fixes the
    integer ``coding`` of the output tables.
    """
    _require(events, [*EVENT_NEEDS, coding_col], "events")
    _require(segments, [*SEGMENT_NEEDS, coding_col], "segments")
    labels = tuple(pd.Series(durations).index)
    duration = pd.Series(durations).to_numpy(dtype="int64")
    ev_coding = _coding_numbers(events[coding_col], labels, "events")
    seg_coding = _coding_numbers(segments[coding_col], labels, "segments")
    coded = Coded.of(events)
    kinds = {c.id: c.kind for c in scheme.codes}
    kind = np.array([kinds.get(c, "") for c in coded.code_names] + [""], dtype=object)[coded.code]
    raise_on_problems(events, coded, kind, ev_coding, duration, scheme, labels)
    seg = _segment_table(segments, seg_coding, duration)
    stride = int(duration.max()) + 1 if len(duration) else 1
    points, states = _split(events, coded, ev_coding, kind == "state", seg, stride)
    intervals = _clip_to_segments(states, seg, stride)
    absences = caregiver_absences(points, states, seg, duration, stride, caregiver,
                         (absent_code, leave_code, return_code))
    seg = _with_presence(seg, absences, stride)
    sessions = _session_table(labels, duration, seg, absences, stride)
    return Timeline(points, states, intervals, seg, sessions, labels, events["event_id"].array,
                    absences)


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            N_("the {what} table lacks column(s) {missing}"),
            fix=N_("build it with events_frame/segments_frame or add {value}"),
            params={"what": str(what), "missing": ', '.join(missing), "value": str(missing[0])},
        )


def _coding_numbers(column: pd.Series, labels: tuple[Hashable, ...], what: str) -> Int64Array:
    index = pd.Index(list(labels))
    if not index.is_unique:
        raise InputError(
            N_("two codings share a label"),
            fix=N_("give each coding its own label"),
        )
    codes = index.get_indexer(pd.Index(column)).astype("int64")
    if (codes < 0).any():
        stray = column[codes < 0].iloc[0]
        raise InputError(
            N_("the {what} name coding '{stray}', which has no duration"),
            fix=N_("give every coding its duration_ms in durations"),
            params={"what": str(what), "stray": str(stray)},
        )
    return codes


def _segment_table(segments: pd.DataFrame, coding: Int64Array,
                   duration: Int64Array) -> pd.DataFrame:
    seg = pd.DataFrame({
        "coding": coding,
        "segment_id": segments["segment_id"].to_numpy(),
        "spec_id": segments["spec_id"].to_numpy() if "spec_id" in segments else None,
        "name": segments["name"].to_numpy(),
        "role": segments["role"].to_numpy(),
        "start_ms": segments["start_ms"].to_numpy(dtype="int64"),
        "end_ms": segments["end_ms"].to_numpy(dtype="int64"),
    }).sort_values(["coding", "start_ms"], kind="stable").reset_index(drop=True)
    start, end, cod = (seg[c].to_numpy() for c in ("start_ms", "end_ms", "coding"))
    bad = (start < 0) | (end <= start) | (end > duration[cod])
    overlap = np.zeros(len(seg), dtype=bool)
    overlap[1:] = (cod[1:] == cod[:-1]) & (start[1:] < end[:-1])
    if bad.any() or overlap.any():
        row = seg[bad | overlap].iloc[0]
        raise InputError(
            N_("segment '{name}' ({start_ms}–{end_ms} ms) is empty, overlaps the one before, or "
               "lies outside the session"),
            fix=N_("correct its start and end times"),
            params={
                "name": str(row['name']),
                "start_ms": str(row['start_ms']),
                "end_ms": str(row['end_ms']),
            },
        )
    return seg.assign(segment=np.arange(len(seg)), observed_ms=end - start)


def segment_of(coding: Int64Array, time: Int64Array, seg: pd.DataFrame, stride: int
               ) -> Int64Array:
    """Row of the segment holding each time (``-1`` when none), vectorised."""
    if not len(seg):
        return np.full(len(time), -1, dtype="int64")
    seg_coding = seg["coding"].to_numpy()
    starts = seg_coding * stride + seg["start_ms"].to_numpy()
    idx = np.searchsorted(starts, coding * stride + time, side="right") - 1
    safe = np.clip(idx, 0, None)
    inside = (idx >= 0) & (seg_coding[safe] == coding) & (time < seg["end_ms"].to_numpy()[safe])
    return np.where(inside, idx, -1)


def _split(events: pd.DataFrame, coded: Coded, coding: Int64Array, is_state: BoolArray,
           seg: pd.DataFrame, stride: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points and states sorted by coding then onset; ``row`` is the input row."""
    onset = events["onset_ms"].to_numpy(dtype="int64")
    order = coding_order(coding, onset, stride)
    coding, onset, is_state = coding[order], onset[order], is_state[order]
    segment = segment_of(coding, onset, seg, stride)
    ids = events["event_id"].array

    def table(mask: np.ndarray, extra: dict[str, Any]) -> pd.DataFrame:
        rows = order[mask]
        # Shared categories: integer codes mean the same in every table (see `select`).
        return pd.DataFrame({
            "coding": coding[mask], "event_id": ids.take(rows), "row": rows,
            "subject": pd.Categorical.from_codes(coded.subject[rows], coded.subject_names),
            "code": pd.Categorical.from_codes(coded.code[rows], coded.code_names), **extra})

    modifiers = events["modifiers"].to_numpy(dtype=object)[order[~is_state]]
    points = table(~is_state, {"time_ms": onset[~is_state], "segment": segment[~is_state],
                               "modifiers": pd.Series(modifiers, dtype=object)})
    offset = events["offset_ms"].to_numpy(dtype="float64", na_value=np.nan)[order[is_state]]
    states = table(is_state, {"onset_ms": onset[is_state], "offset_ms": offset.astype("int64"),
                              "duration_ms": offset.astype("int64") - onset[is_state],
                              "segment": segment[is_state]})
    return points, states


def _clip_to_segments(states: pd.DataFrame, seg: pd.DataFrame, stride: int) -> pd.DataFrame:
    """One row per state × overlapped segment, clipped to the segment."""
    cols = ["coding", "event_id", "row", "subject", "code", "segment", "onset_ms", "offset_ms",
            "duration_ms"]
    if not len(seg) or not len(states):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c.endswith("ms") or c in (
            "coding", "segment") else "object") for c in cols})
    coding, on, off = (states[c].to_numpy() for c in ("coding", "onset_ms", "offset_ms"))
    seg_key_start = seg["coding"].to_numpy() * stride + seg["start_ms"].to_numpy()
    seg_key_end = seg["coding"].to_numpy() * stride + seg["end_ms"].to_numpy()
    first = np.searchsorted(seg_key_end, coding * stride + on, side="right")
    last = np.searchsorted(seg_key_start, coding * stride + off, side="left") - 1
    count = np.clip(last - first + 1, 0, None)
    row = np.repeat(np.arange(len(states)), count)
    segment = np.repeat(first, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count)
                                                                            - count, count))
    start = np.maximum(on[row], seg["start_ms"].to_numpy()[segment])
    end = np.minimum(off[row], seg["end_ms"].to_numpy()[segment])
    keep: BoolArray = end > start
    out = states.iloc[row[keep]][["coding", "event_id", "row", "subject", "code"]].reset_index(
        drop=True)
    return out.assign(segment=segment[keep], onset_ms=start[keep], offset_ms=end[keep],
                      duration_ms=end[keep] - start[keep])[cols]


def _with_presence(seg: pd.DataFrame, absences: IntervalSet, stride: int) -> pd.DataFrame:
    absent_ms = measure_between(absences, seg["coding"].to_numpy(dtype="int64"),
                                seg["start_ms"].to_numpy(dtype="int64"),
                                seg["end_ms"].to_numpy(dtype="int64"), stride)
    return seg.assign(absent_ms=absent_ms, present_ms=seg["observed_ms"].to_numpy() - absent_ms)


def _session_table(labels: tuple[Hashable, ...], duration: Int64Array, seg: pd.DataFrame,
                   absences: IntervalSet, stride: int) -> pd.DataFrame:
    coding = np.arange(len(labels))
    start, end = observed_period(seg, duration)
    absent_ms = measure_between(absences, coding, start, end, stride)
    return pd.DataFrame({"coding": coding, "label": list(labels), "duration_ms": duration,
                         "period_start_ms": start, "period_end_ms": end,
                         "observed_ms": end - start, "absent_ms": absent_ms,
                         "present_ms": end - start - absent_ms})


def observed_period(seg: pd.DataFrame, duration: Int64Array) -> tuple[Int64Array, Int64Array]:
    """(start, end) per coding: the recording, or from its first segment to its last."""
    start = np.zeros(len(duration), dtype="int64")
    end = np.asarray(duration, dtype="int64").copy()
    if len(seg):
        coding = seg["coding"].to_numpy(dtype="int64")
        first = np.full(len(duration), np.iinfo("int64").max)
        np.minimum.at(first, coding, seg["start_ms"].to_numpy(dtype="int64"))
        last = np.full(len(duration), -1)
        np.maximum.at(last, coding, seg["end_ms"].to_numpy(dtype="int64"))
        has = last >= 0
        start[has], end[has] = first[has], last[has]
    return start, end


def presence(timeline: Timeline) -> IntervalSet:
    """When the caregiver is in the room within each coding's observed period."""
    sessions = timeline.sessions
    coding = sessions["coding"].to_numpy(dtype="int64")
    period = IntervalSet(coding, sessions["period_start_ms"].to_numpy(dtype="int64"),
                         sessions["period_end_ms"].to_numpy(dtype="int64"))
    return subtract(period, timeline.absences, sessions["duration_ms"].to_numpy(dtype="int64"),
                    timeline.stride)


