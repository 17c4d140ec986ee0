"""Scored rows reused per coding version (issue 23's course page, the agreement pages): the
same numbers as scoring every coding again, and only the codings that changed are scored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.trajectory import Trajectory
from samspill.services import access as policy
from samspill.services import agreement, score_rows, scoring, studies, trajectory
from samspill.services.demo import DEMO_DYAD, DEMO_STUDY, load_demo
from samspill.services.setup import ensure_admin
from samspill.services.trajectory import dyad_course
from samspill.store.db import Database
from samspill.store.models import (
    Coding,
    EventRow,
    ObservationSession,
    Rating,
    SegmentRow,
    Study,
    User,
)


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of every coding the scorer is handed, call after call (the study's codings in
    batches, the dyad's own points one by one with stability)."""
    seen: list[int] = []
    batches, alone = scoring._score_resilient, trajectory.scored_coding

    def counting(db: Session, group: Any, *args: Any, **kwargs: Any) -> Any:
        seen.extend(c.id for c in group)
        return batches(db, group, *args, **kwargs)

    def counting_one(db: Session, coding: Coding, **kwargs: Any) -> Any:
        seen.append(coding.id)
        return alone(db, coding, **kwargs)

    monkeypatch.setattr(scoring, "_score_resilient", counting)
    monkeypatch.setattr(trajectory, "scored_coding", counting_one)
    return seen


@pytest.fixture
def demo(database: Database) -> Iterator[tuple[Session, User]]:
    with database.session() as db:
        admin = ensure_admin(db)
        load_demo(db, owner=admin, media_dir=database.settings.media_dir, with_video=False)
        yield db, admin


def _course(db: Session, admin: User) -> Trajectory:
    study = studies.get_study(db, DEMO_STUDY)
    return dyad_course(db, study=study, dyad_code=DEMO_DYAD,
                       member=policy.Member(admin, "owner")).trajectory


def _rescored(db: Session, admin: User, monkeypatch: pytest.MonkeyPatch) -> Trajectory:
    """The course with nothing reused: every coding of the study scored again."""
    with monkeypatch.context() as m:
        m.setattr(score_rows, "split", lambda db, where, group, found: ({}, list(group)))
        m.setattr(score_rows, "remembered", lambda db, where, key, compute: compute())
        return _course(db, admin)


def _same(a: Trajectory, b: Trajectory) -> None:
    pd.testing.assert_frame_equal(a.measures, b.measures)
    pd.testing.assert_frame_equal(a.table, b.table)


def _simulated(db: Session) -> Coding:
    """A submitted coding of the demo's simulated cohort that has a second coder's too."""
    return db.scalars(select(Coding).join(ObservationSession)
                      .where(ObservationSession.name.like("sim-free-play-%"))
                      .order_by(Coding.id)).first()  # type: ignore[return-value]


def _ids_of_study(db: Session) -> set[int]:
    study = studies.get_study(db, DEMO_STUDY)
    return {c.id for c in db.scalars(select(Coding).join(ObservationSession)
                                     .where(ObservationSession.study_id == study.id))}


def test_the_course_from_kept_rows_is_the_course_scored_again_and_scores_only_what_changed(
        demo: tuple[Session, User], scored: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    db, admin = demo
    score_rows.forget(db)
    first = _course(db, admin)
    cold = set(scored)
    assert len(cold) > 10 and cold <= _ids_of_study(db)
    scored.clear()
    again = _course(db, admin)
    assert scored == []  # nothing changed: nothing scored
    _same(again, first)
    _same(again, _rescored(db, admin, monkeypatch))

    changed = _simulated(db)
    row = db.scalars(select(EventRow).where(EventRow.coding_id == changed.id)
                     .order_by(EventRow.onset_ms)).first()
    assert row is not None
    row.onset_ms += 700  # what an edit does: the times, the version; updated_at follows
    row.version += 1
    if row.offset_ms is not None:
        row.offset_ms += 700
    db.flush()
    scored.clear()
    after = _course(db, admin)
    assert set(scored) == {changed.id}
    _same(after, _rescored(db, admin, monkeypatch))


def _warm(demo: tuple[Session, User]) -> tuple[Session, Study, list[Coding]]:
    """The demo study's codings, scored once so that their rows are kept."""
    db, _ = demo
    study = studies.get_study(db, DEMO_STUDY)
    group = scoring.cohort_codings(db, study)
    agreement.score_rows(db, study, group)
    return db, study, group


def test_a_changed_rating_segment_or_length_scores_that_coding_again(
        demo: tuple[Session, User], scored: list[int]) -> None:
    db, study, group = _warm(demo)
    scored.clear()
    agreement.score_rows(db, study, group)
    assert scored == []

    rated = next(c for c in group if db.scalar(select(Rating).where(Rating.coding_id == c.id)))
    rating = db.scalars(select(Rating).where(Rating.coding_id == rated.id)).first()
    assert rating is not None
    rating.value = "7" if rating.value != "7" else "6"
    timed = next(c for c in group if c.id != rated.id and c.session.duration_ms)
    timed.session.duration_ms = int(timed.session.duration_ms or 0) + 1_000
    segmented = next(c for c in group if c.id not in (rated.id, timed.id) and db.scalar(
        select(SegmentRow).where(SegmentRow.session_id == c.session_id)))
    segment = db.scalars(select(SegmentRow).where(SegmentRow.session_id == segmented.session_id)
                         ).first()
    assert segment is not None
    segment.end_ms -= 1_000
    db.flush()
    reused = agreement.score_rows(db, study, group)
    assert set(scored) >= {rated.id, timed.id, segmented.id}
    assert set(scored) <= {c.id for c in group if c.session_id in
                           (rated.session_id, timed.session_id, segmented.session_id)}
    fresh = scoring.cohort_for_study(db, study, chosen=group, stability=False,
                                     provisional=True).table
    pd.testing.assert_frame_equal(reused, fresh)


def test_new_study_settings_score_every_coding_again(
        demo: tuple[Session, User], scored: list[int]) -> None:
    db, study, group = _warm(demo)
    study.settings = {**(study.settings or {}), "agreement_tolerance_ms": 1500}
    db.flush()
    scored.clear()
    agreement.score_rows(db, study, group)
    assert set(scored) == {c.id for c in group}
