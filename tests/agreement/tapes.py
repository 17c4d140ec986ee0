"""Simulated tapes for the agreement tests: a master coding and noisy codings of it.

``core.simulate`` gives the master; a coder's version moves point events by up to
``jitter_ms`` and leaves out a share of them, and moves the level by ``level_noise``.
"""

from __future__ import annotations

import uuid

import numpy as np
from sqlalchemy.orm import Session

from samspill.core.events import Event
from samspill.core.simulate import simulate_session
from samspill.services import coding_ratings, codings, studies
from samspill.services.schemes import latest_version
from samspill.store.models import Coding, ObservationSession, Study, User

STYLES = ("sensitive", "withdrawn")
TAPE_MS = 90_000


def noisy(events: list[Event], rng: np.random.Generator, *, jitter_ms: int,
          drop: float) -> list[Event]:
    """Another coder's version: points moved by up to ±jitter_ms, a share left out."""
    out = []
    for event in events:
        if event.offset_ms is None:
            if rng.random() < drop:
                continue
            shift = int(rng.integers(-jitter_ms, jitter_ms + 1)) if jitter_ms else 0
            event = event.model_copy(update={"onset_ms": max(0, event.onset_ms + shift)})
        out.append(event.model_copy(update={"id": str(uuid.uuid4())}))
    return out


def add_tape(db: Session, study: Study, name: str, seed: int) -> tuple[ObservationSession,
                                                                       list[Event]]:
    simulated = simulate_session(STYLES[seed % 2], seed=seed, duration_ms=TAPE_MS)
    dyad = studies.get_or_create_dyad(db, study=study, code=f"D-{name}")
    session = studies.create_session(db, study=study, dyad=dyad, name=name,
                                     duration_ms=simulated.duration_ms)
    for segment in simulated.segments:
        studies.put_segment(db, session=session,
                            segment=segment.model_copy(update={"id": str(uuid.uuid4())}))
    return session, simulated.events


def add_coding(db: Session, session: ObservationSession, coder: User, events: list[Event], *,
               level: int | None, status: str = "submitted", purpose: str = "study") -> Coding:
    coding = codings.create_coding(db, session=session, coder=coder, purpose=purpose,
                                   scheme_version=latest_version(db, "withdrawal-open"))
    fresh = [e.model_copy(update={"id": str(uuid.uuid4())}) for e in events]
    codings.replace_events(db, coding=coding, events=fresh)
    if level is not None:
        coding_ratings.set_ratings(db, coding=coding, ratings={"level": level})
    if status != "in_progress":
        codings.set_status(db, coding=coding, status=status)
    return coding
