"""The demo study: the article's vignette, coded, with a rendered demo video."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.simulate import STYLES
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.services import codings, studies
from samspill.services.demo_course import add_demo_course
from samspill.services.demo_video import render_demo_video
from samspill.services.media import attach_file
from samspill.services.schemes import latest_version, register_builtin_schemes
from samspill.services.simulation import add_simulated_sessions
from samspill.store.models import Study, User

DEMO_STUDY = "demo"
DEMO_SESSION = "vignette"


def load_demo(db: Session, *, owner: User, media_dir: Path, with_video: bool = True) -> Study:
    """Create the demo study once; calling it again changes nothing."""
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
    dyad = studies.get_or_create_dyad(db, study=study, code="D001", child_birth_month="2021-03")
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
    codings.set_ratings(db, coding=coding, ratings={"level": 6, "profile": "helpless-fearful"})
    codings.set_status(db, coding=coding, status="master")
    _add_simulated_cohort(db, study)
    if with_video:
        video = render_demo_video(
            vignette_events(), VIGNETTE_DURATION_MS, media_dir / ".render" / "vignette.webm"
        )
        attach_file(db, session=session, media_dir=media_dir, source=video)
        video.unlink(missing_ok=True)
    # Issue 12: the demo course, on the vignette and on one short clip of each style.
    add_demo_course(db, study=study, owner=owner, vignette=DEMO_SESSION, media_dir=media_dir,
                    render=render_demo_video if with_video else None)
    return study


def _add_simulated_cohort(db: Session, study: Study) -> None:
    """A small simulated cohort beside the vignette: free play and Strange Situations."""
    for style in STYLES:
        add_simulated_sessions(db, study=study, style=style, sessions=3, seed=2026)
        add_simulated_sessions(db, study=study, style=style, sessions=1, seed=2026, procedure="ssp")
