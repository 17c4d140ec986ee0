"""Report fixtures: the vignette as report data (no database), and a stored cohort study."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from samspill.core.events import Event, events_frame, segments_frame
from samspill.core.indicators import IndicatorSettings
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.simulate import simulate_session
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.reports.data import ReportData, ReportHeader, build_report_data
from samspill.services import coding_ratings, codings, studies
from samspill.services.schemes import latest_version
from tests.factories import make_user

SCHEME = load_builtin_scheme("withdrawal-open")


def vignette_header(**changes: object) -> ReportHeader:
    fields = dict(study="demo", dyad="D001", session="vignette", date=dt.date(2023, 3, 14),
                  age_months=24, procedure="free-play", coder="ann", status="master",
                  scheme_id="withdrawal-open", scheme_version=1, scheme_name=SCHEME.name,
                  instrument=SCHEME.instrument, licensed=False, duration_ms=VIGNETTE_DURATION_MS)
    return ReportHeader(**{**fields, **changes})  # type: ignore[arg-type]


def vignette_data(*, settings: IndicatorSettings | None = None, ratings: dict | None = None,
                  segments: bool = True, extra: list[Event] = (),
                  events: list[Event] | None = None, stability: bool = True,
                  **header: object) -> ReportData:
    """The vignette scored for a report (with stability, as reports are); ``extra`` events
    are added to the article's, ``events`` replace them."""
    base = vignette_events() if events is None else events
    return build_report_data(
        vignette_header(**header), events_frame([*base, *extra], SCHEME),
        segments_frame(vignette_segments() if segments else []), scheme=SCHEME,
        ratings={"level": 6, "profile": "helpless-fearful"} if ratings is None else ratings,
        settings=settings or IndicatorSettings(), stability=stability)


@pytest.fixture(scope="module")
def vignette() -> ReportData:
    return vignette_data()


def pdf_text(content: bytes) -> tuple[str, int]:
    """All the PDF's text with whitespace collapsed, and its page count."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text), len(reader.pages)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def store_cohort(db: Session, *, name: str = "coh", n_each: int = 3) -> dict[str, object]:
    """A study of simulated dyads (withdrawn and sensitive), 5 minutes each, rated by an owner.

    Also a training coding, which the cohort leaves out. Returns the owner and the sessions.
    """
    owner = make_user(db, f"owner-{name}")
    study = studies.create_study(db, name=name, owner=owner, title="Cohort test")
    version = latest_version(db, "withdrawal-open")
    sessions = []
    for i, style in enumerate(["withdrawn"] * n_each + ["sensitive"] * n_each):
        sim = simulate_session(style, seed=100 + i, duration_ms=300_000, name=f"s{i:02d}")
        dyad = studies.get_or_create_dyad(db, study=study, code=f"D{i:02d}",
                                          child_birth_month="2022-01")
        session = studies.create_session(db, study=study, dyad=dyad, name=sim.name,
                                         date=dt.date(2023, 6, 1), duration_ms=sim.duration_ms)
        for segment in sim.segments:
            studies.put_segment(db, session=session, segment=segment)
        coding = codings.create_coding(db, session=session, coder=owner, scheme_version=version)
        codings.replace_events(db, coding=coding, events=sim.events)
        level = 6 if style == "withdrawn" else 2
        if i != 0:  # one coding left unrated
            coding_ratings.set_ratings(db, coding=coding, ratings={"level": level})
        sessions.append(session)
    training = codings.create_coding(db, session=sessions[0], coder=owner,
                                     scheme_version=version, purpose="training")
    codings.replace_events(db, coding=training, events=vignette_events()[:3])
    return {"owner": owner, "study": study, "sessions": sessions}
