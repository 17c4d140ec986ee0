"""A group of codings' stored tables, loaded in bulk for the scorer: events, segments,
ratings and each coding's length (the one length rule, :func:`length_rule`). Both cohort paths
read these: the pandas path (:mod:`samspill.services.scoring`) and the columnar one
(:mod:`samspill.services.columnar_cohort`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.coding_rules import close_running
from samspill.core.errors import N_, InputError, SamspillError
from samspill.core.events import EVENT_COLUMNS, SEGMENT_COLUMNS
from samspill.core.scheme import Scheme
from samspill.services import coding_ratings
from samspill.store.models import Coding, EventRow, Rating, SegmentRow


@dataclass(frozen=True)
class Loaded:
    """A group's stored tables, loaded once: events, segments, ratings, and the length of
    every coding that has one (``failed``: those without, with the error)."""

    events: pd.DataFrame
    segments: pd.DataFrame
    durations: dict[int, int]
    ratings: dict[int, dict[str, str]]
    failed: list[tuple[Coding, SamspillError]]
    provisional: frozenset[int] = frozenset()  # codings with a running state ended for scoring


def load_group(db: Session, group: Sequence[Coding], scheme: Scheme,
          until_ms: int | None = None, *, end_running: bool = True) -> Loaded:
    ids = [c.id for c in group]
    events = events_table(db, ids, scheme)
    last = last_times(events)
    durations, failed = {}, []
    for coding in group:
        try:
            durations[coding.id] = coding_duration(coding, last.get(coding.id))
        except SamspillError as error:
            failed.append((coding, error))
    provisional: frozenset[int] = frozenset()
    if end_running:
        events, provisional = running_ended(events, scheme, durations, until_ms)
    return Loaded(events, segments_table(db, group), durations, ratings_table(db, ids), failed,
                   provisional)


def running_ended(events: pd.DataFrame, scheme: Scheme, durations: dict[int, int],
                   until_ms: int | None) -> tuple[pd.DataFrame, frozenset[int]]:
    """A running state never fails a page: each is ended at ``until_ms`` or at the end of its
    coding's media (see ``core.coding_rules.close_running``); those codings are provisional."""
    if not events["offset_ms"].isna().any():
        return events, frozenset()
    end = events["coding"].map(durations).fillna(0).astype("int64").to_numpy()
    if until_ms is not None:
        end = np.minimum(end, until_ms)
    running = events["offset_ms"].isna() & events["kind"].eq("state")
    closed, count = close_running(events, scheme, end, coding_col="coding")
    ended = frozenset(int(c) for c in events.loc[running, "coding"]) if count else frozenset()
    return closed, ended


def only(frame: pd.DataFrame, ids: list[int]) -> pd.DataFrame:
    keep = frame["coding"].isin(ids)
    return frame if keep.all() else frame[keep].reset_index(drop=True)


def events_table(db: Session, coding_ids: list[int], scheme: Scheme) -> pd.DataFrame:
    rows = db.execute(
        select(
            EventRow.coding_id,
            EventRow.id,
            EventRow.subject,
            EventRow.code,
            EventRow.onset_ms,
            EventRow.offset_ms,
            EventRow.modifiers,
            EventRow.comment,
            EventRow.frame,
        ).where(EventRow.coding_id.in_(coding_ids))
        .order_by(EventRow.coding_id, EventRow.onset_ms, EventRow.id)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "coding",
            "event_id",
            "subject",
            "code",
            "onset_ms",
            "offset_ms",
            "modifiers",
            "comment",
            "frame",
        ],
    )
    kinds = {c.id: c.kind for c in scheme.codes}
    frame["kind"] = frame["code"].map(kinds).fillna("point")
    frame = frame.astype({"onset_ms": "int64", "offset_ms": "Int64", "frame": "Int64"})
    # The order of events_frame (onset, subject, code), so a coding scores the same alone, in
    # a batch and on any database: stability's seeded jitter follows the order of the events.
    return frame[["coding", *EVENT_COLUMNS]].sort_values(
        ["coding", "onset_ms", "subject", "code"], kind="stable", ignore_index=True)


def segments_table(db: Session, group: Sequence[Coding]) -> pd.DataFrame:
    by_session: dict[int, list[int]] = defaultdict(list)
    for coding in group:
        by_session[coding.session_id].append(coding.id)
    rows = db.scalars(select(SegmentRow).where(SegmentRow.session_id.in_(by_session))
                      .order_by(SegmentRow.start_ms, SegmentRow.id)).all()
    records = [
        {
            "coding": coding_id,
            "segment_id": r.id,
            "spec_id": r.spec_id,
            "name": r.name,
            "role": r.role,
            "start_ms": r.start_ms,
            "end_ms": r.end_ms,
            "note": r.note,
        }
        for r in rows
        for coding_id in by_session[r.session_id]
    ]
    frame = pd.DataFrame(records, columns=["coding", *SEGMENT_COLUMNS])
    return frame.astype({"start_ms": "int64", "end_ms": "int64"}).sort_values(
        ["coding", "start_ms"], kind="stable", ignore_index=True)


def length_rule(session_ms: int | None, last_ms: int | None) -> int | None:
    """The one length rule: the session's length, else 1 ms past the coding's last onset or
    offset (``last_ms``, None when it has no events); None when there is neither."""
    if session_ms:
        return int(session_ms)
    return None if last_ms is None else last_ms + 1


def coding_duration(coding: Coding, last_ms: int | None) -> int:
    """The coding's length by :func:`length_rule`; without one, an error naming the fix."""
    found = length_rule(coding.session.duration_ms, last_ms)
    if found is None:
        raise InputError(
            N_("session '{session}' has no length and no events"),
            fix=N_("attach its video or set its duration"),
            params={"session": coding.session.name},
        )
    return found


def last_times(events: pd.DataFrame) -> dict[int, int]:
    """Per coding, its last onset or offset in ms (point events have no offset)."""
    offsets = events[["coding", "offset_ms"]].dropna()
    times = pd.concat([events["onset_ms"], offsets["offset_ms"].astype("int64")])
    coding = pd.concat([events["coding"], offsets["coding"]])
    return {int(k): int(v) for k, v in times.groupby(coding.to_numpy()).max().items()}


def ratings_table(db: Session, coding_ids: list[int]) -> dict[int, dict[str, str]]:
    """Each coding's ratings; a per-segment form's named ``<item>_<segment>`` beside them."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for row in db.scalars(select(Rating).where(Rating.coding_id.in_(coding_ids))).all():
        out[row.coding_id][row.item_id] = row.value
    for coding_id, keyed in coding_ratings.keyed_segment_ratings(db, coding_ids).items():
        if keyed:
            out[coding_id].update(keyed)
    return out
