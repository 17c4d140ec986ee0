"""Factories for the tests: one call builds a study with a coded session."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy.orm import Session

from samspill.core.events import Event
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events
from samspill.services import accounts, codings, studies
from samspill.services.schemes import latest_version
from samspill.store.models import Coding, ObservationSession, Study, User

PASSWORD = "correct horse battery staple"


@dataclass
class Built:
    owner: User
    study: Study
    session: ObservationSession
    coding: Coding


@functools.cache
def _password_hash() -> str:
    """PASSWORD hashed once per process: argon2id costs about 0.2 s of CPU on purpose."""
    return accounts.hash_password(PASSWORD)


def make_user(db: Session, name: str, *, admin: bool = False) -> User:
    """A user who logs in with PASSWORD (a real argon2id hash of it, computed once)."""
    user = accounts.add_user(db, username=name, password=None, is_admin=admin)
    user.password_hash = _password_hash()
    db.flush()
    return user


def make_coded_session(
    db: Session,
    *,
    study_name: str = "s1",
    owner: User | None = None,
    events: list[Event] | None = None,
) -> Built:
    owner = owner or make_user(db, f"owner-{study_name}")
    owner.can_create_studies = True  # an owner from before migration 0006 holds the right
    study = studies.create_study(db, name=study_name, owner=owner)
    dyad = studies.get_or_create_dyad(db, study=study, code="D01", child_birth_month="2022-01")
    session = studies.create_session(
        db, study=study, dyad=dyad, name="v1", duration_ms=VIGNETTE_DURATION_MS
    )
    coding = codings.create_coding(
        db, session=session, coder=owner, scheme_version=latest_version(db, "withdrawal-open")
    )
    codings.replace_events(
        db, coding=coding, events=vignette_events() if events is None else events
    )
    return Built(owner, study, session, coding)
