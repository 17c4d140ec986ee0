"""Add simulated sessions to a study: dyads, sessions, master codings and ground truth."""

from __future__ import annotations

from sqlalchemy.orm import Session

from samspill.core.simulate import Procedure, SimulatedSession, simulate_cohort
from samspill.core.simulate.coder import code_session
from samspill.services import codings, studies
from samspill.services.codings import keep_or_renew_ids
from samspill.services.schemes import latest_version
from samspill.store.models import (
    EventRow,
    ObservationSession,
    SchemeVersion,
    SegmentRow,
    Study,
    User,
)

SIMULATOR_USER = "simulator"


def simulator_user(db: Session) -> User:
    """The coder of simulated sessions: an account with no password that cannot log in."""
    from samspill.services.setup import ensure_user

    return ensure_user(db, SIMULATOR_USER)


def add_simulated_sessions(
    db: Session,
    *,
    study: Study,
    style: str,
    sessions: int,
    seed: int,
    procedure: Procedure = "free-play",
) -> list[ObservationSession]:
    coder = simulator_user(db)
    studies.set_role(db, study=study, user=coder, role="coder")
    version = latest_version(db, "withdrawal-open")
    out = []
    for simulated in simulate_cohort(style, sessions, seed, procedure):
        out.append(_store(db, study, simulated, seed, procedure, coder, version))
    return out


def store_simulated(db: Session, *, study: Study, simulated: SimulatedSession, seed: int,
                    procedure: str = "free-play") -> ObservationSession:
    """Store one simulated session (dyad, session, segments, master coding, ground truth)."""
    coder = simulator_user(db)
    studies.set_role(db, study=study, user=coder, role="coder")
    return _store(db, study, simulated, seed, procedure, coder,
                  latest_version(db, "withdrawal-open"))


def _store(
    db: Session,
    study: Study,
    simulated: SimulatedSession,
    seed: int,
    procedure: str,
    coder: User,
    version: SchemeVersion,
) -> ObservationSession:
    name = f"sim-{procedure}-{seed}-{simulated.name}"
    dyad = studies.get_or_create_dyad(db, study=study, code=f"SIM-{seed}-{simulated.name}")
    session = studies.create_session(
        db,
        study=study,
        dyad=dyad,
        name=name,
        procedure=procedure,
        duration_ms=simulated.duration_ms,
        notes="Simulated by Samspill; no real dyad.",
    )
    session.ground_truth = {**simulated.ground_truth, "seed": seed}
    for segment in keep_or_renew_ids(db, SegmentRow, f"session/{session.id}", simulated.segments):
        studies.put_segment(db, session=session, segment=segment)
    coding = codings.create_coding(db, session=session, coder=coder, scheme_version=version)
    events = keep_or_renew_ids(db, EventRow, f"coding/{coding.id}", simulated.events)
    codings.replace_events(db, coding=coding, events=events)
    codings.set_status(db, coding=coding, status="master")
    return session


SECOND_CODER = "simulator-2"


def add_second_codings(db: Session, *, study: Study, style: str, sessions: int, seed: int,
                       procedure: Procedure = "free-play", jitter_ms: int = 1500,
                       miss_share: float = 0.08) -> list[ObservationSession]:
    """A second, independent coding of sessions stored by :func:`add_simulated_sessions` (same
    style, count, seed and procedure): what a coder with this timing jitter who misses this
    share of events would log, submitted, so the study has agreement figures to show."""
    from samspill.services.setup import ensure_user

    coder = ensure_user(db, SECOND_CODER)
    studies.set_role(db, study=study, user=coder, role="coder")
    version = latest_version(db, "withdrawal-open")
    out = []
    for i, simulated in enumerate(simulate_cohort(style, sessions, seed, procedure)):
        session = studies.get_session(db, study=study,
                                      name=f"sim-{procedure}-{seed}-{simulated.name}")
        coded = code_session(simulated, seed=seed + i, jitter_ms=jitter_ms,
                             miss_share=miss_share)
        coding = codings.create_coding(db, session=session, coder=coder, scheme_version=version)
        events = keep_or_renew_ids(db, EventRow, f"coding/{coding.id}", coded.events)
        codings.replace_events(db, coding=coding, events=events)
        codings.set_status(db, coding=coding, status="submitted")
        out.append(session)
    return out
