"""The demo study: the article's vignette, coded, with a rendered demo video."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.events import Event
from samspill.core.simulate import STYLES
from samspill.core.vignette import (
    VIGNETTE_DURATION_MS,
    vignette_events,
    vignette_followup_events,
    vignette_guidance_events,
    vignette_segments,
)
from samspill.core.vignette_transcript import VIGNETTE_TRANSCRIPT
from samspill.detectors.registry import ModelMissing
from samspill.services import coding_ratings, codings, studies, transcripts
from samspill.services.demo_course import add_demo_course
from samspill.services.demo_video import render_demo_video
from samspill.services.media import attach_file
from samspill.services.people_clip import People, load_people
from samspill.services.schemes import latest_version, register_builtin_schemes
from samspill.services.simulation import add_second_codings, add_simulated_sessions
from samspill.services.trajectory import set_phase
from samspill.store.models import Dyad, ObservationSession, Study, User

DEMO_STUDY = "demo"
DEMO_SESSION = "vignette"
DEMO_DYAD = "D001"


@dataclass(frozen=True)
class LaterSession:
    """A later session of Monica and Maria (issue 23): coded the way the vignette is."""

    name: str
    date: dt.date
    phase: str
    events: Callable[[], list[Event]]
    notes: str
    level: int


# The family's course: the vignette at intake, then after some weeks of guidance (partly
# changed) and at follow-up (clearly changed).
LATER_SESSIONS = (
    LaterSession("vignette-2", dt.date(2023, 5, 9), "guidance", vignette_guidance_events,
                 "Free play, 6 minutes, after eight weeks of video guidance; a separation at "
                 "2:00.", 4),
    LaterSession("vignette-3", dt.date(2023, 8, 22), "follow-up", vignette_followup_events,
                 "Free play, 6 minutes, at follow-up; a separation at 2:00.", 2),
)


def load_demo(db: Session, *, owner: User, media_dir: Path, with_video: bool = True,
              models_dir: Path | None = None) -> Study:
    """Create the demo study once; calling it again changes nothing. With ``models_dir`` holding
    the fetched photographs, the video shows two photographed people instead of discs, so that
    the assist's pose model proposes the vignette's proximity.

    The vignette and the course's four 3-minute clips get rendered videos (about 8 s and 4 s of
    CPU each); the family's later sessions have none (the rest of the demo takes some 5 s).
    """
    existing = db.scalar(select(Study).where(Study.name == DEMO_STUDY))
    if existing is not None:
        return existing
    register_builtin_schemes(db)
    study = studies.create_study(
        db,
        name=DEMO_STUDY,
        owner=owner,
        title="Demo: Monica and Maria",
        description="The vignette from Brandtzæg & Torsteinson (2023), "
        "fictional, coded with the open withdrawal scheme.",
    )
    dyad = studies.get_or_create_dyad(db, study=study, code=DEMO_DYAD,
                                      child_birth_month="2021-03")
    session = studies.create_session(
        db,
        study=study,
        dyad=dyad,
        name=DEMO_SESSION,
        date=dt.date(2023, 3, 14),
        procedure="free-play",
        duration_ms=VIGNETTE_DURATION_MS,
        notes="Free play, 6 minutes; a separation at 2:00.",
    )
    for segment in vignette_segments():
        studies.put_segment(db, session=session, segment=segment)
    coding = codings.create_coding(
        db, session=session, coder=owner, scheme_version=latest_version(db, "withdrawal-open")
    )
    codings.replace_events(db, coding=coding, events=vignette_events())
    coding_ratings.set_ratings(db, coding=coding,
                               ratings={"level": 6, "profile": "helpless-fearful"})
    transcripts.save(db, coding=coding, text=VIGNETTE_TRANSCRIPT, base_version=0, by=owner)
    codings.set_status(db, coding=coding, status="master")
    set_phase(db, session=session, phase="intake")
    for spec in LATER_SESSIONS:
        _later_session(db, study, dyad, owner, spec)
    _add_simulated_cohort(db, study)
    if with_video:
        people = _people(models_dir)
        out = media_dir / ".render" / "vignette.webm"
        video = (render_demo_video(vignette_events(), VIGNETTE_DURATION_MS, out)
                 if people is None
                 else render_demo_video(vignette_events(), VIGNETTE_DURATION_MS, out,
                                        people=people))
        attach_file(db, session=session, media_dir=media_dir, source=video)
        video.unlink(missing_ok=True)
    # Issue 12: the demo course, on the vignette and on one short clip of each style.
    add_demo_course(db, study=study, owner=owner, vignette=DEMO_SESSION, media_dir=media_dir,
                    render=render_demo_video if with_video else None)
    return study


def _later_session(db: Session, study: Study, dyad: Dyad, owner: User,
                   spec: LaterSession) -> ObservationSession:
    """A later session of the family: the same room and segments, its own events, a master
    coding by the owner; its signs come out of the scoring, never written in."""
    session = studies.create_session(db, study=study, dyad=dyad, name=spec.name, date=spec.date,
                                     procedure="free-play", duration_ms=VIGNETTE_DURATION_MS,
                                     notes=spec.notes)
    for segment in vignette_segments():
        studies.put_segment(db, session=session, segment=segment.model_copy(
            update={"id": f"{segment.id[:-4]}{spec.name[-1]}{segment.id[-3:]}"}))
    coding = codings.create_coding(
        db, session=session, coder=owner, scheme_version=latest_version(db, "withdrawal-open"))
    codings.replace_events(db, coding=coding, events=[
        e.model_copy(update={"id": f"{e.id[:19]}{spec.name[-1]}{e.id[20:]}"})
        for e in spec.events()])
    coding_ratings.set_ratings(db, coding=coding, ratings={"level": spec.level, "profile": "none"})
    codings.set_status(db, coding=coding, status="master")
    set_phase(db, session=session, phase=spec.phase)
    return session


def _people(models_dir: Path | None) -> People | None:
    """The photographed people, when the model fetch has put them in ``models_dir``."""
    if models_dir is None:
        return None
    try:
        return load_people(models_dir)
    except ModelMissing:
        return None


def _add_simulated_cohort(db: Session, study: Study) -> None:
    """A small simulated cohort beside the vignette: free play and Strange Situations, each
    session coded twice (the master and an independent second coder), so that the study has
    its own agreement figures for the change index."""
    for style in STYLES:
        add_simulated_sessions(db, study=study, style=style, sessions=3, seed=2026)
        add_simulated_sessions(db, study=study, style=style, sessions=1, seed=2026, procedure="ssp")
        add_second_codings(db, study=study, style=style, sessions=3, seed=2026)
        add_second_codings(db, study=study, style=style, sessions=1, seed=2026, procedure="ssp")
