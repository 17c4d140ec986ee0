"""How well the assist's suggestions agree with one human coder's codes, as measured on a lab's
own sessions. This is the only accuracy the product states.

Per suggestion type:

- **cry** (proposed ``distress`` states) against the coder's distress states of the child:
  time-unit κ with tolerance (Bakeman, Quera & Gnisci 2009; the mean of both references), over
  all sessions laid end to end; *precision*, the share of suggested episodes that overlap a
  coded one (within the tolerance); *recall*, the share of coded episodes that a suggestion
  overlaps; *onset error*, the median absolute onset difference of each recalled episode and
  its earliest overlapping suggestion.
- **silence** (no voice within W2 after a bid) against the bids the coder left unanswered (no
  answer code within W2, as the sequential analysis counts it): precision, recall and Cohen's κ
  over the coder's bids (silence proposed or not × unanswered or not). Onsets are the bids'
  own, so there is no onset error.
- **speech** has no human code in the built-in schemes to compare with; it is listed with its
  count only.
- **proximity** (proposed ``near`` and ``far`` states of the caregiver, from the pose model)
  against the coder's near and far states: time-unit κ with tolerance over near, far and
  neither; precision, recall and onset error of episodes that meet a coded one of the same code.
- **hold** (proposed ``hold`` candidates) against the coder's holds of the caregiver, as cry.

Columns of :func:`evaluate` (one row per type): ``type``, ``sessions``, ``human`` (coded events
compared), ``suggested``, ``precision``, ``recall`` (0..1, NaN when nothing to divide),
``onset_error_ms`` (median, NaN when none), ``kappa``, ``unit_ms``, ``tolerance_ms``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samspill.core.reliability.kappa import kappa_from_counts
from samspill.core.reliability.tolerance import time_unit_kappa_tolerance

PROXIMITY_CODES = ("near", "far")
COLUMNS = ["type", "sessions", "human", "suggested", "precision", "recall", "onset_error_ms",
           "kappa", "unit_ms", "tolerance_ms"]


@dataclass(frozen=True)
class SessionPair:
    """One session: the coder's events and the assist's suggestions (both with the columns
    ``subject, code, onset_ms, offset_ms``; suggestions also ``detector``), its length, and
    which of the coder's bids got a silence suggestion (bid onsets, ms)."""

    session: str
    events: pd.DataFrame
    suggestions: pd.DataFrame
    duration_ms: int
    silent_bids: frozenset[int] = frozenset()


def evaluate(pairs: Sequence[SessionPair], *, unit_ms: int, tolerance_ms: int,
             window_ms: int, distress_codes: Collection[str] = ("distress",),
             answer_codes: Collection[str] = ("respond", "initiate", "hold"),
             bid_code: str = "bid", child: str = "child",
             caregiver: str = "caregiver", hold_code: str = "hold") -> pd.DataFrame:
    rows = [
        _cry(pairs, unit_ms, tolerance_ms, set(distress_codes), child),
        _silence(pairs, window_ms, set(answer_codes), bid_code, child, caregiver, unit_ms,
                 tolerance_ms),
        _speech(pairs, unit_ms, tolerance_ms),
        _episodes(pairs, "proximity", unit_ms, tolerance_ms,
                  human=lambda ev: (ev["subject"] == caregiver)
                  & ev["code"].isin(PROXIMITY_CODES),
                  machine=lambda sg: (sg["detector"] == "pose")
                  & sg["code"].isin(PROXIMITY_CODES), same_code=True),
        _episodes(pairs, "hold", unit_ms, tolerance_ms,
                  human=lambda ev: (ev["subject"] == caregiver) & (ev["code"] == hold_code),
                  machine=lambda sg: (sg["detector"] == "pose") & (sg["code"] == "hold"),
                  same_code=False),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _intervals(frame: pd.DataFrame) -> np.ndarray:
    if frame.empty:
        return np.zeros((0, 2), dtype=np.int64)
    onset = frame["onset_ms"].to_numpy(dtype=np.int64)
    offset = frame["offset_ms"].fillna(frame["onset_ms"]).to_numpy(dtype=np.int64)
    return np.stack([onset, offset], axis=1)


def _cry(pairs: Sequence[SessionPair], unit_ms: int, tolerance_ms: int, codes: set[str],
         child: str) -> dict[str, object]:
    return _episodes(pairs, "cry", unit_ms, tolerance_ms,
                     human=lambda ev: (ev["subject"] == child) & ev["code"].isin(codes),
                     machine=lambda sg: sg["detector"] == "cry", same_code=False)


def _episodes(pairs: Sequence[SessionPair], kind: str, unit_ms: int, tolerance_ms: int, *,
              human: Callable[[pd.DataFrame], pd.Series], machine: Callable[[pd.DataFrame],
                                                                            pd.Series],
              same_code: bool) -> dict[str, object]:
    """A row for states: κ over time units (the codes kept apart when ``same_code``, else all
    one label), and precision, recall and onset error of episodes that meet one of the same
    code (any code when not ``same_code``)."""
    human_parts, machine_parts, shift = [], [], 0
    hits = suggested = recalled = coded = 0
    errors: list[int] = []
    for pair in pairs:
        ev, sg = pair.events, pair.suggestions
        h_rows = ev[human(ev) & ev["offset_ms"].notna()]
        m_rows = sg[machine(sg)] if len(sg) else sg
        machine_codes = set(m_rows["code"]) if "code" in m_rows else set()
        labels = (sorted(set(h_rows["code"]) | machine_codes) if same_code else []) or [None]
        for label in labels:
            h = _intervals(h_rows if label is None else h_rows[h_rows["code"] == label])
            m = _intervals(m_rows if label is None else m_rows[m_rows["code"] == label])
            hit, found, onset_errors = _overlaps(h, m, tolerance_ms)
            hits, suggested = hits + hit, suggested + len(m)
            recalled, coded = recalled + found, coded + len(h)
            errors += onset_errors
            human_parts.append(_states(h + shift, label or kind))
            machine_parts.append(_states(m + shift, label or kind))
        h_all, m_all = _intervals(h_rows), _intervals(m_rows)
        span = -(-max(pair.duration_ms, int(h_all.max(initial=0)), int(m_all.max(initial=0)))
                 // unit_ms) * unit_ms
        shift += span
    kappa = float("nan")
    if shift:
        table = time_unit_kappa_tolerance(
            pd.concat(human_parts, ignore_index=True), pd.concat(machine_parts, ignore_index=True),
            unit_ms=unit_ms, tolerance_ms=tolerance_ms, end_ms=shift)
        pooled = table[table["subject"] == "all"]
        kappa = float(pooled["kappa_mean"].iloc[0]) if len(pooled) else float("nan")
    return _row(kind, len(pairs), coded, suggested, _share(hits, suggested),
                _share(recalled, coded), _median(errors), kappa, unit_ms, tolerance_ms)


def _states(intervals: np.ndarray, code: str) -> pd.DataFrame:
    return pd.DataFrame({"subject": "child", "code": code,
                         "onset_ms": intervals[:, 0] if len(intervals) else [],
                         "offset_ms": intervals[:, 1] if len(intervals) else []})


def _overlaps(human: np.ndarray, machine: np.ndarray, tolerance_ms: int,
              ) -> tuple[int, int, list[int]]:
    """(suggestions that meet a coded episode, coded episodes met, their onset errors)."""
    if not len(human) or not len(machine):
        return 0, 0, []
    meets = (machine[:, None, 0] < human[None, :, 1] + tolerance_ms) & \
            (machine[:, None, 1] + tolerance_ms > human[None, :, 0])
    errors = []
    for j in np.flatnonzero(meets.any(axis=0)):
        first = machine[meets[:, j], 0].min()
        errors.append(int(abs(first - human[j, 0])))
    return int(meets.any(axis=1).sum()), int(meets.any(axis=0).sum()), errors


def _silence(pairs: Sequence[SessionPair], window_ms: int, answers: set[str], bid_code: str,
             child: str, caregiver: str, unit_ms: int, tolerance_ms: int) -> dict[str, object]:
    counts = np.zeros((2, 2), dtype=np.int64)  # rows: unanswered by the coder; cols: silence
    for pair in pairs:
        ev = pair.events
        bids = ev[(ev["subject"] == child) & (ev["code"] == bid_code)]["onset_ms"].to_numpy()
        answer_times = np.sort(ev[(ev["subject"] == caregiver) & ev["code"].isin(answers)]
                               ["onset_ms"].to_numpy())
        for bid in bids:
            later = np.searchsorted(answer_times, bid, side="left")
            answered = later < len(answer_times) and answer_times[later] <= bid + window_ms
            counts[int(not answered), int(int(bid) in pair.silent_bids)] += 1
    hits = int(counts[1, 1])
    kappa = kappa_from_counts(counts)[0] if counts.sum() else float("nan")
    return _row("silence", len(pairs), int(counts[1].sum()), int(counts[:, 1].sum()),
                _share(hits, int(counts[:, 1].sum())), _share(hits, int(counts[1].sum())),
                float("nan"), kappa, unit_ms, tolerance_ms)


def _speech(pairs: Sequence[SessionPair], unit_ms: int, tolerance_ms: int) -> dict[str, object]:
    count = sum(int((p.suggestions["detector"] == "speech").sum()) for p in pairs)
    nan = float("nan")
    return _row("speech", len(pairs), 0, count, nan, nan, nan, nan, unit_ms, tolerance_ms)


def _row(kind: str, sessions: int, human: int, suggested: int, precision: float,
         recall: float, onset_error: float, kappa: float, unit_ms: int,
         tolerance_ms: int) -> dict[str, object]:
    return dict(zip(COLUMNS, [kind, sessions, human, suggested, precision, recall, onset_error,
                              kappa, unit_ms, tolerance_ms], strict=True))


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def _median(values: list[int]) -> float:
    return float(np.median(values)) if values else float("nan")
