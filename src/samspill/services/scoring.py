"""Scoring stored codings: load events in bulk, call the pure core, return its tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import InputError
from samspill.core.events import EVENT_COLUMNS
from samspill.core.scheme import Scheme
from samspill.core.scoring import Scores, cohort_table, score_codings
from samspill.core.study_settings import StudySettings, study_settings
from samspill.services import codings, studies
from samspill.services.schemes import scheme_of
from samspill.store.models import Coding, EventRow, Rating, SegmentRow, Study

IDENTITY_COLUMNS = [
    "study",
    "dyad",
    "session",
    "coder",
    "coding_id",
    "procedure",
    "status",
    "sim_style",
]


def settings_of(study: Study) -> StudySettings:
    return study_settings(study.settings)


def score_stored_coding(db: Session, coding: Coding, *, stability: bool = True) -> Scores:
    """The withdrawal profile and AMBIANCE scores of one stored coding, by default with how
    sure each sign is (``stability``; see :mod:`samspill.core.stability`)."""
    return _score_group(
        db, [coding], scheme_of(coding.scheme_version), settings_of(coding.session.study),
        stability=stability,
    )


def scores_visible(study: Study, role: str | None) -> bool:
    """Blind and trainee modes hide the six signs while coding when the study says so."""
    settings = settings_of(study)
    if role == "coder":
        return not settings.hide_scores_from_coders
    if role == "trainee":
        return not settings.hide_scores_from_trainees
    return role is not None


def cohort_for_study(db: Session, study: Study) -> pd.DataFrame:
    """One row per coding in the study: identity columns, then the core's cohort columns."""
    all_codings = [c for s in studies.sessions_of(db, study) for c in codings.codings_of(db, s)]
    groups: dict[int, list[Coding]] = defaultdict(list)
    for coding in all_codings:
        groups[coding.scheme_version_id].append(coding)
    settings = settings_of(study)
    tables = []
    for group in groups.values():
        scores = _score_group(db, group, scheme_of(group[0].scheme_version), settings)
        table = cohort_table(scores).rename(columns={"coding": "coding_id"})
        tables.append(_identity(group, study).merge(table, on="coding_id", how="right"))
    if not tables:
        return pd.DataFrame(columns=IDENTITY_COLUMNS)
    return pd.concat(tables, ignore_index=True).sort_values(["session", "coder"], ignore_index=True)


def _identity(group: Sequence[Coding], study: Study) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "study": study.name,
                "dyad": c.session.dyad.code,
                "session": c.session.name,
                "coder": c.coder.username,
                "coding_id": c.id,
                "procedure": c.session.procedure,
                "status": c.status,
                "sim_style": (c.session.ground_truth or {}).get("style"),
            }
            for c in group
        ],
        columns=IDENTITY_COLUMNS,
    )


def _score_group(
    db: Session, group: Sequence[Coding], scheme: Scheme, settings: StudySettings,
    *, stability: bool = False,
) -> Scores:
    ids = [c.id for c in group]
    events = _events_table(db, ids, scheme)
    segments = _segments_table(db, group)
    durations = {c.id: _duration(c, events) for c in group}
    ratings = _ratings(db, ids)
    return score_codings(
        events,
        segments,
        scheme=scheme,
        durations=durations,
        ratings={i: ratings.get(i, {}) for i in ids},
        settings=settings.indicator_settings(),
        disrupted_cutoff=settings.disrupted_cutoff,
        stability=stability,
    )


def _events_table(db: Session, coding_ids: list[int], scheme: Scheme) -> pd.DataFrame:
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
    return frame[["coding", *EVENT_COLUMNS]].sort_values(["coding", "onset_ms"], ignore_index=True)


def _segments_table(db: Session, group: Sequence[Coding]) -> pd.DataFrame:
    by_session: dict[int, list[int]] = defaultdict(list)
    for coding in group:
        by_session[coding.session_id].append(coding.id)
    rows = db.scalars(select(SegmentRow).where(SegmentRow.session_id.in_(by_session))).all()
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
    columns = ["coding", "segment_id", "spec_id", "name", "role", "start_ms", "end_ms", "note"]
    return pd.DataFrame(records, columns=columns).astype({"start_ms": "int64", "end_ms": "int64"})


def _duration(coding: Coding, events: pd.DataFrame) -> int:
    if coding.session.duration_ms:
        return int(coding.session.duration_ms)
    mine = events[events["coding"] == coding.id]
    if mine.empty:
        raise InputError(
            f"session '{coding.session.name}' has no length and no events",
            fix="attach its video or set its duration",
        )
    return int(max(mine["onset_ms"].max(), mine["offset_ms"].max(skipna=True) or 0)) + 1


def _ratings(db: Session, coding_ids: list[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for row in db.scalars(select(Rating).where(Rating.coding_id.in_(coding_ids))).all():
        out[row.coding_id][row.item_id] = row.value
    return out
