"""When the caregiver is out of the room, for every coding of a batch at once.

She is *absent* during an ``absent`` state; from a ``leave`` to the next ``return``, or to the
next thing she is coded doing in the room when the return was not coded (to the end of the
recording when nothing follows); throughout a segment whose role is ``separation``; and,
before a ``return`` that ends no coded absence, since the last moment she was coded in the
room (or the start of the recording).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samspill.core.arrays import BoolArray, Int64Array
from samspill.core.categorical import select
from samspill.core.intervals import IntervalSet, measure_between, normalise

# A return this soon after a coded absence ends closes that absence.
RETURN_MARGIN_MS = 5_000


def caregiver_absences(points: pd.DataFrame, states: pd.DataFrame, seg: pd.DataFrame,
              duration: Int64Array, stride: int, caregiver: str,
              codes: tuple[str, str, str]) -> IntervalSet:
    """When the caregiver is out of the room: ``absent`` states, each leave to her return,
    every segment whose role is ``separation`` (the procedure says she is out), and, before
    a return with no absence coded, the time since she was last coded doing anything."""
    absent_code, leave_code, return_code = codes
    absent = states[select(states, subject=caregiver, codes=[absent_code])]
    leaves = points[select(points, subject=caregiver, codes=[leave_code])]
    coding = leaves["coding"].to_numpy(dtype="int64")
    time = leaves["time_ms"].to_numpy(dtype="int64")
    back = _back_in_room(points, states, coding, time, duration, stride, caregiver, codes)
    apart = seg[(seg["role"] == "separation").to_numpy()]
    known = normalise(
        np.concatenate([absent["coding"].to_numpy(dtype="int64"), coding,
                        apart["coding"].to_numpy(dtype="int64")]),
        np.concatenate([absent["onset_ms"].to_numpy(dtype="int64"), time,
                        apart["start_ms"].to_numpy(dtype="int64")]),
        np.concatenate([absent["offset_ms"].to_numpy(dtype="int64"), back,
                        apart["end_ms"].to_numpy(dtype="int64")]), stride)
    returns = points[select(points, subject=caregiver, codes=[return_code])]
    r_coding = returns["coding"].to_numpy(dtype="int64")
    r_time = returns["time_ms"].to_numpy(dtype="int64")
    # A return that ends no known absence (none in the moments before it): she was out
    # before it.
    ends_one = measure_between(known, r_coding, np.maximum(r_time - RETURN_MARGIN_MS, 0),
                               r_time, stride) > 0
    orphan = ~ends_one
    since = _last_seen(points, states, r_coding[orphan], r_time[orphan], stride, caregiver,
                       codes)
    return normalise(np.concatenate([known.coding, r_coding[orphan]]),
                     np.concatenate([known.start, since]),
                     np.concatenate([known.end, r_time[orphan]]), stride)


def _caregiver_acts(points: pd.DataFrame, states: pd.DataFrame, caregiver: str,
                    codes: tuple[str, ...]) -> tuple[BoolArray, BoolArray]:
    """Rows of the caregiver's own events that show her in the room (not absent, leave or
    return), in the points and the states."""
    mine_p = select(points, subject=caregiver, codes=set(points["code"].cat.categories)
                    - set(codes)) if len(points) else np.zeros(0, bool)
    mine_s = select(states, subject=caregiver, codes=set(states["code"].cat.categories)
                    - set(codes)) if len(states) else np.zeros(0, bool)
    return mine_p, mine_s


def _last_seen(points: pd.DataFrame, states: pd.DataFrame, coding: Int64Array,
               time: Int64Array, stride: int, caregiver: str,
               codes: tuple[str, str, str]) -> Int64Array:
    """Per (coding, time): the last moment before it the caregiver was coded in the room (the
    time of a point, the end of a state), else 0."""
    mine_p, mine_s = _caregiver_acts(points, states, caregiver, codes)
    c = np.concatenate([points["coding"].to_numpy(dtype="int64")[mine_p],
                        states["coding"].to_numpy(dtype="int64")[mine_s]])
    t = np.concatenate([points["time_ms"].to_numpy(dtype="int64")[mine_p],
                        states["offset_ms"].to_numpy(dtype="int64")[mine_s]])
    keys = np.sort(c * stride + t, kind="stable")  # two sorted runs: merged in one pass
    idx = np.searchsorted(keys, coding * stride + time, side="right") - 1
    if not len(keys):
        return np.zeros(len(time), dtype="int64")
    prev = keys[np.maximum(idx, 0)]
    found = (idx >= 0) & (prev // stride == coding)
    return np.where(found, np.minimum(prev - coding * stride, time), 0).astype("int64")


def _back_in_room(points: pd.DataFrame, states: pd.DataFrame, coding: Int64Array,
                  time: Int64Array, duration: Int64Array, stride: int, caregiver: str,
                  codes: tuple[str, str, str]) -> Int64Array:
    """When the caregiver is back after each leave: at the next return, or at the next thing
    she is coded doing in the room (a missed return must not leave her out to the end), or
    at the end of the recording."""
    absent_code, leave_code, _ = codes
    # The next act in the room: anything but absent or leave (a return included).
    mine_p, mine_s = _caregiver_acts(points, states, caregiver, (absent_code, leave_code))
    c = np.concatenate([points["coding"].to_numpy(dtype="int64")[mine_p],
                        states["coding"].to_numpy(dtype="int64")[mine_s]])
    t = np.concatenate([points["time_ms"].to_numpy(dtype="int64")[mine_p],
                        states["onset_ms"].to_numpy(dtype="int64")[mine_s]])
    keys = np.sort(c * stride + t, kind="stable")  # two sorted runs: merged in one pass
    idx = np.searchsorted(keys, coding * stride + time, side="right")
    nxt = keys[np.minimum(idx, max(len(keys) - 1, 0))] if len(keys) else np.zeros(len(time))
    found: BoolArray = (idx < len(keys)) & (nxt // stride == coding) if len(keys) else np.zeros(
        len(time), bool)
    return np.where(found, nxt - coding * stride, duration[coding]).astype("int64")
