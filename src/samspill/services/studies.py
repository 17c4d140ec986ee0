"""Studies, members and their roles, dyads, sessions and segments."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Literal, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from samspill.core import names
from samspill.core.coding_rules import segment_refusals
from samspill.core.errors import (
    N_,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    RefusedError,
)
from samspill.core.events import Segment
from samspill.store.models import Dyad, Membership, ObservationSession, SegmentRow, Study, User

Role = Literal["owner", "coder", "trainee", "viewer"]
ROLES: tuple[Role, ...] = ("owner", "coder", "trainee", "viewer")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# One template per kind of name, so that bokmål can say the kind too.
_NOT_A_NAME = {
    "study": N_("'{value}' is not a valid study name"),
    "dyad": N_("'{value}' is not a valid dyad name"),
    "session": N_("'{value}' is not a valid session name"),
}
# "use " + names.NAME_RULE, spelled out for the extractor.
_NAME_FIX = N_("use up to 64 letters (æ, ø, å too), digits, '.', '_' or '-', starting with a "
               "letter or digit")


def check_name(value: str, what: Literal["study", "dyad", "session"]) -> str:
    """``value`` as stored (NFC), or an error: letters of any language are welcome."""
    if not names.is_name(value):
        raise InputError(_NOT_A_NAME[what], fix=_NAME_FIX, params={"value": value})
    return names.normal(value)


def create_study(
    db: Session, *, name: str, owner: User, title: str = "", description: str = ""
) -> Study:
    check_name(name, "study")
    if db.scalar(select(Study).where(Study.name == name)):
        raise ConflictError(N_("study '{name}' exists already"), fix=N_("choose another name"),
                            params={"name": name})
    study = Study(name=name, title=title or name, description=description, settings={})
    db.add(study)
    db.flush()
    set_role(db, study=study, user=owner, role="owner")
    return study


def may_create_studies(user: User) -> bool:
    """Administrators, and the users an administrator let create studies (issue 22)."""
    return user.is_admin or user.can_create_studies


def create_study_as(
    db: Session, *, name: str, creator: User, title: str = "", description: str = ""
) -> Study:
    """A study created by a user of the web or the API: only with the right to create studies
    (issue 22). The right is checked before the name, so whether a name is taken is told only
    to trusted creators (issue 21, finding 14)."""
    if not may_create_studies(creator):
        raise PermissionDeniedError(
            N_("creating a study is a right you do not hold"),
            fix=N_("ask an administrator to let you create studies"),
        )
    return create_study(db, name=name, owner=creator, title=title, description=description)


def get_study(db: Session, name: str) -> Study:
    study = db.scalar(select(Study).where(Study.name == name))
    if study is None:
        raise NotFoundError(N_("no study '{name}'"),
                            fix=N_("check the name with 'samspill study list'"),
                            params={"name": name})
    return study


def studies_for(db: Session, user: User) -> Sequence[Study]:
    """Administrators see every study; others the studies they are members of."""
    query = select(Study).order_by(Study.name)
    if not user.is_admin:
        query = query.join(Membership).where(Membership.user_id == user.id)
    return db.scalars(query).all()


def role_of(db: Session, *, study: Study, user: User) -> Role | None:
    if user.is_admin:
        return "owner"
    role = db.scalar(
        select(Membership.role).where(
            Membership.study_id == study.id, Membership.user_id == user.id
        )
    )
    return cast("Role | None", role)  # the column holds only ROLES: set_role refuses others


def set_role(db: Session, *, study: Study, user: User, role: str) -> Membership:
    if role not in ROLES:
        raise InputError(N_("unknown role '{role}'"), fix=N_("use one of: {choices}"),
                         params={"role": role, "choices": ", ".join(ROLES)})
    member = db.scalar(
        select(Membership).where(Membership.study_id == study.id, Membership.user_id == user.id)
    )
    if member is None:
        member = Membership(study_id=study.id, user_id=user.id, role=role)
        db.add(member)
    elif member.role == "owner" and role != "owner":
        _keep_an_owner(db, study, member)
    member.role = role
    db.flush()
    return member


def remove_member(db: Session, *, study: Study, user: User) -> None:
    """Take a user's role in a study away (issue 21); their codings stay with the study."""
    member = db.scalar(
        select(Membership).where(Membership.study_id == study.id, Membership.user_id == user.id)
    )
    if member is None:
        raise NotFoundError(
            N_("'{user}' is not a member of '{study}'"), fix=N_("check the user name"),
            params={"user": user.username, "study": study.name},
        )
    if member.role == "owner":
        _keep_an_owner(db, study, member)
    db.delete(member)
    db.flush()


def _keep_an_owner(db: Session, study: Study, leaving: Membership) -> None:
    others = db.scalars(
        select(Membership.id).where(
            Membership.study_id == study.id,
            Membership.role == "owner",
            Membership.id != leaving.id,
        )
    ).first()
    if others is None:
        raise ConflictError(
            N_("'{study}' would have no owner left"),
            fix=N_("make another member owner first"),
            params={"study": study.name},
        )


def members(db: Session, study: Study) -> Sequence[Membership]:
    return db.scalars(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.study_id == study.id)
        .order_by(User.username)
    ).all()


def get_or_create_dyad(
    db: Session, *, study: Study, code: str, child_birth_month: str | None = None
) -> Dyad:
    """The dyad with this code, created if new; a birth month given is set on it either way
    (the API used to answer an existing dyad with its old month and drop the new one)."""
    code = check_name(code, "dyad")
    month = check_birth_month(child_birth_month)
    dyad = db.scalar(select(Dyad).where(Dyad.study_id == study.id, Dyad.code == code))
    if dyad is None:
        dyad = Dyad(study_id=study.id, code=code, child_birth_month=month)
        db.add(dyad)
    elif month is not None:
        dyad.child_birth_month = month
    db.flush()
    return dyad


def check_birth_month(month: str | None) -> str | None:
    """``YYYY-MM`` (a month, never a day: dyads stay pseudonymous), or None; "" is None."""
    if month is None or not month.strip():
        return None
    month = month.strip()
    if not _MONTH.match(month):
        raise InputError(
            N_("'{month}' is not a birth month"),
            fix=N_("write it as YYYY-MM, e.g. 2023-04 (no day: dyads stay pseudonymous)"),
            params={"month": month},
        )
    return month


def set_birth_month(db: Session, *, dyad: Dyad, month: str | None) -> Dyad:
    """Set or clear (None, "") the child's birth month."""
    dyad.child_birth_month = check_birth_month(month)
    db.flush()
    return dyad


def dyads(db: Session, study: Study) -> Sequence[Dyad]:
    return db.scalars(select(Dyad).where(Dyad.study_id == study.id).order_by(Dyad.code)).all()


def age_in_months(birth_month: str | None, date: dt.date | None) -> int | None:
    """Whole months from the birth month to the session date (day of birth not stored)."""
    if not birth_month or date is None:
        return None
    year, month = map(int, birth_month.split("-"))
    return (date.year - year) * 12 + (date.month - month)


def create_session(
    db: Session,
    *,
    study: Study,
    dyad: Dyad,
    name: str,
    date: dt.date | None = None,
    procedure: str = "free-play",
    duration_ms: int | None = None,
    notes: str = "",
) -> ObservationSession:
    check_name(name, "session")
    if db.scalar(
        select(ObservationSession).where(
            ObservationSession.study_id == study.id, ObservationSession.name == name
        )
    ):
        raise ConflictError(
            N_("session '{name}' exists already in study '{study}'"),
            fix=N_("choose another session name"),
            params={"name": name, "study": study.name},
        )
    if duration_ms is not None and duration_ms <= 0:
        raise InputError(N_("the duration must be positive"), fix=N_("give the length in ms"))
    session = ObservationSession(
        study_id=study.id,
        dyad_id=dyad.id,
        name=name,
        date=date,
        procedure=procedure,
        duration_ms=duration_ms,
        notes=notes,
    )
    db.add(session)
    db.flush()
    return session


def get_session(db: Session, *, study: Study, name: str) -> ObservationSession:
    session = db.scalar(
        select(ObservationSession).where(
            ObservationSession.study_id == study.id, ObservationSession.name == name
        )
    )
    if session is None:
        raise NotFoundError(
            N_("no session '{name}' in study '{study}'"),
            fix=N_("check the name on the study page or with 'samspill score'"),
            params={"name": name, "study": study.name},
        )
    return session


def sessions_of(db: Session, study: Study) -> Sequence[ObservationSession]:
    return db.scalars(
        select(ObservationSession)
        .where(ObservationSession.study_id == study.id)
        .order_by(ObservationSession.name)
    ).all()


def segments_of(db: Session, session: ObservationSession) -> list[Segment]:
    rows = db.scalars(
        select(SegmentRow).where(SegmentRow.session_id == session.id).order_by(SegmentRow.start_ms)
    ).all()
    return [Segment.model_validate(r, from_attributes=True) for r in rows]


def put_segment(db: Session, *, session: ObservationSession, segment: Segment) -> None:
    """Create or replace one segment (by id)."""
    if segment.end_ms <= segment.start_ms:
        raise InputError(
            N_("segment '{name}' ends before it starts"), fix=N_("mark the end after the start"),
            params={"name": segment.name},
        )
    if session.duration_ms is not None and segment.end_ms > session.duration_ms:
        raise InputError(
            N_("segment '{name}' ends after the session ({duration} ms)"),
            fix=N_("mark the end within the session"),
            params={"name": segment.name, "duration": session.duration_ms},
        )
    others = segments_of(db, session)
    refusals = segment_refusals(segment, others)
    if refusals:
        first = refusals[0]
        raise RefusedError(first.template, fix=first.fix, params=first.params)
    row = db.get(SegmentRow, segment.id) or SegmentRow(id=segment.id, session_id=session.id)
    if row.session_id != session.id:
        raise ConflictError(
            N_("that segment id belongs to another session"), fix=N_("use a new id")
        )
    row.spec_id, row.name, row.role = segment.spec_id, segment.name, segment.role
    row.start_ms, row.end_ms, row.note = segment.start_ms, segment.end_ms, segment.note
    db.add(row)
    db.flush()


def lock_session(db: Session, session: ObservationSession) -> None:
    """Hold the session's row until the commit: its segments are checked and written by one
    request at a time (see ``codings.lock_coding``)."""
    db.execute(update(ObservationSession).where(ObservationSession.id == session.id)
               .values(name=ObservationSession.name))


def delete_segment(db: Session, *, session: ObservationSession, segment_id: str) -> None:
    row = db.get(SegmentRow, segment_id)
    if row is not None and row.session_id == session.id:
        db.delete(row)
