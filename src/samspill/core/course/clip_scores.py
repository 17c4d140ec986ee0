"""The answer key of a clip, derived from its master's events by the indicators.

A clip is scored as a coding whose only segment is the clip: the observed period is the clip,
so the whole-session row of :func:`~samspill.core.indicators.compute_indicators` holds the six
signs *for the clip*. The child's bids come from the responsiveness sign's own matching
(:func:`~samspill.core.indicators.responsiveness.bid_answers`), so "a signal nobody answers"
means exactly what the indicator counts as unanswered under the course's settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from samspill.core.course.model import Clip
from samspill.core.events import Event, Segment, events_frame, segments_frame
from samspill.core.indicators import (
    INDICATORS,
    IndicatorSettings,
    compute_indicators,
    hostile_codes,
)
from samspill.core.indicators.common import Context, build_scopes, make_context
from samspill.core.indicators.responsiveness import bid_answers
from samspill.core.scheme import Scheme
from samspill.core.timeline import build_timelines

CLIP_SEGMENT_ID = "00000000-0000-4000-a000-00000000c11f"
# What became of each of the child's bids in the clip (see ``BID_COLUMNS``).
UNANSWERED, ANSWERED, HELD, CUT, OUTSIDE = "unanswered", "answered", "held", "cut", "outside"
BID_COLUMNS = ["event_id", "time_ms", "kind", "comment", "status", "answer_ms", "answer_code",
               "followed"]


@dataclass(frozen=True)
class ClipScores:
    """The six signs of one clip and what became of each of the child's bids in it.

    ``states`` maps each indicator id (:data:`~samspill.core.indicators.INDICATORS`) to its
    state (``present``, ``absent``, ``not_observable``; for ``hostility`` ``low``,
    ``hostile``, ``not_observable``); ``reasons`` to the reason keys (comma-separated).
    ``bids``: :data:`BID_COLUMNS`, one row per bid inside the clip, in time order;
    ``status`` one of unanswered, answered, held (the child was held: not scored), cut
    (the window was cut by the clip's end or the caregiver leaving); ``followed`` the
    caregiver's events within the response window after the bid, as ``(code, time_ms)``."""

    states: dict[str, str]
    reasons: dict[str, str]
    withdrawn_profile: bool
    signs_present: int
    bids: pd.DataFrame

    @property
    def unanswered(self) -> pd.DataFrame:
        return self.bids[self.bids["status"] == UNANSWERED].reset_index(drop=True)


def clip_scores(clip: Clip, *, scheme: Scheme, settings: IndicatorSettings) -> ClipScores:
    """Score the clip's master events over the clip (pure; a clip of minutes takes ms)."""
    events = events_frame(clip.events, scheme).assign(coding=0)
    segment = Segment(id=CLIP_SEGMENT_ID, name="clip", start_ms=clip.start_ms,
                      end_ms=clip.end_ms)
    segments = segments_frame([segment]).assign(coding=0)
    timeline = build_timelines(events, segments, scheme=scheme,
                               durations={0: clip.duration_ms}, caregiver=settings.caregiver,
                               absent_code=settings.absent_code,
                               leave_code=settings.leave_code,
                               return_code=settings.return_code)
    scopes = build_scopes(timeline)
    table, _ = compute_indicators(timeline, scheme=scheme, settings=settings, scopes=scopes,
                                  evidence=False)
    row = table[table["scope"] == "session"].iloc[0]
    states = {key: str(row[spec.state]) for key, spec in INDICATORS.items()}
    reasons = {key: "" if pd.isna(row[spec.reason]) else str(row[spec.reason])
               for key, spec in INDICATORS.items()}
    ctx = make_context(timeline, scopes, settings, hostile_codes(scheme, settings))
    bids = _bid_table(ctx, timeline.event_ids, clip, settings)
    return ClipScores(states, reasons, bool(row["withdrawn_profile"]),
                      int(row["signs_present"]), bids)


def _bid_table(ctx: Context, event_ids: Any, clip: Clip,
               settings: IndicatorSettings) -> pd.DataFrame:
    found = bid_answers(ctx)
    bids, hit = found.bids, found.answer
    status = np.select([found.outside, found.in_contact, found.censored, hit < 0],
                       [OUTSIDE, HELD, CUT, UNANSWERED], ANSWERED)
    ids = pd.array(event_ids).take(bids.row) if len(bids) else []
    by_id = {e.id: e for e in clip.events}
    rows = []
    for i, event_id in enumerate(ids):
        if status[i] == OUTSIDE:
            continue
        event = by_id[str(event_id)]
        answer = int(hit[i])
        rows.append({
            "event_id": str(event_id), "time_ms": int(bids.time_ms[i]),
            "kind": str(event.modifiers.get(settings.bid_kind_modifier, "")),
            "comment": event.comment, "status": str(status[i]),
            "answer_ms": int(found.answers.time_ms[answer]) if answer >= 0 else None,
            "answer_code": str(found.answers.code[answer]) if answer >= 0 else None,
            "followed": _followed(clip.events, int(bids.time_ms[i]), settings),
        })
    return pd.DataFrame(rows, columns=BID_COLUMNS)


def _followed(events: list[Event], time_ms: int,
              settings: IndicatorSettings) -> list[tuple[str, int]]:
    """The caregiver's acts (points and state onsets) in the response window after a bid:
    what the master saw instead of, or as, an answer."""
    end = time_ms + settings.response_window_ms
    return sorted((e.code, e.onset_ms) for e in events
                  if e.subject == settings.caregiver and time_ms <= e.onset_ms <= end)
