"""Blind double coding: an owner assigns a session to coders, then opens its reconciliation.

Until reconciliation opens, the blind rule (``web/deps.check_coding_access``) keeps every coder
to their own coding. Once it is open, the assigned coders may read each other's codings of that
session (and the reconciled one), so they can discuss their disagreements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, ConflictError, InputError
from samspill.services import accounts, audit, codings, studies
from samspill.store.models import (
    Assignment,
    Coding,
    ObservationSession,
    Reconciliation,
    Study,
    User,
)

CODING_ROLES = ("owner", "coder")


def assign(db: Session, *, session: ObservationSession, usernames: Sequence[str],
           by: User) -> list[Assignment]:
    """Assign the session to the named coders (two or more in all); repeats are kept once."""
    assign_many(db, sessions=[session], usernames=usernames, by=by)
    return list(assignments_of(db, session))


def assign_many(db: Session, *, sessions: Sequence[ObservationSession],
                usernames: Sequence[str], by: User) -> list[Assignment]:
    """Assign each of the sessions to the named coders, all or nothing: every session is
    checked first (not being reconciled, two or more coders in all), then the new assignments
    are added, each with its own audit entry. Returns the new assignments (repeats of an
    existing one are kept once and not returned)."""
    if not sessions:
        raise InputError(N_("no session chosen"), fix=N_("tick one or more sessions to assign"))
    names = list(dict.fromkeys(n.strip() for n in usernames if n.strip()))
    coders = [_coder(db, sessions[0], name) for name in names]
    plans = [(session, _new_coders(db, session, coders))
             for session in dict.fromkeys(sessions)]
    added = []
    for session, new in plans:
        for coder in new:
            row = Assignment(session_id=session.id, coder_id=coder.id)
            db.add(row)
            added.append(row)
            audit.record(db, action="write.assignment", user=by,
                         target=f"session {session.name}", study=session.study.name,
                         detail=f"coder {coder.username}")
    db.flush()
    return added


def _new_coders(db: Session, session: ObservationSession, coders: Sequence[User]) -> list[User]:
    """The coders not yet assigned to the session; refused when it is being reconciled or
    would have fewer than two coders."""
    if reconciliation_of(db, session) is not None:
        raise ConflictError(N_("session '{session}' is being reconciled"),
                            fix=N_("assign coders before reconciliation opens"),
                            params={"session": session.name})
    have = {a.coder_id for a in assignments_of(db, session)}
    if len(have | {c.id for c in coders}) < 2:
        raise InputError(N_("blind double coding of session '{session}' needs two or more "
                            "coders"), fix=N_("name at least two coders of the study"),
                         params={"session": session.name})
    return [c for c in coders if c.id not in have]


def _coder(db: Session, session: ObservationSession, name: str) -> User:
    user = accounts.get_user(db, name)
    role = studies.role_of(db, study=session.study, user=user)
    if role not in CODING_ROLES:
        raise InputError(N_("'{name}' is not a coder of this study"),
                         fix=N_("give the user the coder role first"), params={"name": name})
    return user


def assignments_of(db: Session, session: ObservationSession) -> Sequence[Assignment]:
    return db.scalars(
        select(Assignment).where(Assignment.session_id == session.id).order_by(Assignment.id)
    ).all()


def is_assigned(db: Session, session_id: int, user_id: int) -> bool:
    found = db.scalar(select(Assignment.id).where(Assignment.session_id == session_id,
                                                  Assignment.coder_id == user_id))
    return found is not None


def reconciliation_of(db: Session, session: ObservationSession) -> Reconciliation | None:
    return db.scalar(select(Reconciliation).where(Reconciliation.session_id == session.id))


def assigned_codings(db: Session, session: ObservationSession) -> list[Coding]:
    """Each assigned coder's latest submitted coding of the session."""
    coders = {a.coder_id for a in assignments_of(db, session)}
    latest: dict[int, Coding] = {}
    for coding in codings.codings_of(db, session):
        if coding.coder_id in coders and coding.status == "submitted":
            latest[coding.coder_id] = coding
    return sorted(latest.values(), key=lambda c: c.coder.username)


def open_reconciliation(db: Session, *, session: ObservationSession, by: User,
                        tolerance_ms: int) -> Reconciliation:
    """End the blind for this session: needs two or more submitted codings of assigned coders."""
    existing = reconciliation_of(db, session)
    if existing is not None:
        return existing
    if not assignments_of(db, session):
        raise ConflictError(N_("session '{session}' is not assigned for double coding"),
                            fix=N_("assign it to two or more coders first"),
                            params={"session": session.name})
    if len(assigned_codings(db, session)) < 2:
        raise ConflictError(N_("fewer than two assigned coders have submitted their coding"),
                            fix=N_("wait until two or more assigned coders have submitted"))
    row = Reconciliation(session_id=session.id, opened_by_id=by.id, tolerance_ms=tolerance_ms)
    db.add(row)
    db.flush()
    audit.record(db, action="write.reconciliation", user=by, target=f"session {session.name}",
                 study=session.study.name, detail="opened")
    return row


def unblinded(db: Session, *, coding: Coding, user: User) -> bool:
    """May this coder read another's coding? Only after reconciliation of the session opened,
    and only when both are assigned to it (or the coding is the reconciled one)."""
    row = db.scalar(select(Reconciliation).where(Reconciliation.session_id == coding.session_id))
    if row is None or not is_assigned(db, coding.session_id, user.id):
        return False
    return coding.id == row.coding_id or is_assigned(db, coding.session_id, coding.coder_id)


AssignmentState = Literal["not_started", "in_progress", "submitted"]


def state_of(coder_codings: Sequence[Coding]) -> AssignmentState:
    """An assigned coder's progress on a session from their codings of it: submitted once
    one is submitted (or marked master), in progress while one is open, else not started."""
    if any(c.status in ("submitted", "master") for c in coder_codings):
        return "submitted"
    return "in_progress" if coder_codings else "not_started"


def progress_of(db: Session, session: ObservationSession) -> dict[str, AssignmentState]:
    """Each assigned coder's progress on the session (:func:`state_of`), by user name."""
    found = codings.codings_of(db, session)
    return {a.coder.username: state_of([c for c in found if c.coder_id == a.coder_id])
            for a in assignments_of(db, session)}


@dataclass(frozen=True)
class MyAssignment:
    """A session assigned to a coder: its ``state`` (:func:`state_of`), the coding to
    continue (``coding``: the open one, else the latest; None when not started) and its
    ``purpose`` (the coding's; before it starts, the purpose a new coding gets)."""

    session: ObservationSession
    state: AssignmentState
    purpose: str
    coding: Coding | None


def my_assignments(db: Session, *, study: Study, user: User) -> list[MyAssignment]:
    """The user's assigned sessions in the study, by session name."""
    role = studies.role_of(db, study=study, user=user)
    out = []
    for session in sessions_assigned_to(db, user):
        if session.study_id != study.id:
            continue
        mine = [c for c in codings.codings_of(db, session) if c.coder_id == user.id]
        open_ = [c for c in mine if c.status == "in_progress"]
        latest = open_ or mine
        coding = latest[-1] if latest else None
        purpose = coding.purpose if coding else ("training" if role == "trainee" else "study")
        out.append(MyAssignment(session, state_of(mine), purpose, coding))
    return out


def sessions_assigned_to(db: Session, user: User) -> Sequence[ObservationSession]:
    return db.scalars(
        select(ObservationSession).join(Assignment, Assignment.session_id == ObservationSession.id)
        .where(Assignment.coder_id == user.id).order_by(ObservationSession.name)
    ).all()
