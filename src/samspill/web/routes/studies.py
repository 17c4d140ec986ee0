"""Studies, members, dyads, sessions and segments: the JSON API."""

from __future__ import annotations

from fastapi import APIRouter

from samspill.core.events import Segment
from samspill.services import accounts, studies
from samspill.web.api_shapes import session_out
from samspill.web.deps import (
    CodeStudy,
    CurrentLogin,
    DbSession,
    ManageMembers,
    ManageStudy,
    ReadStudy,
    allow,
)
from samspill.web.schemas import (
    DyadIn,
    DyadOut,
    MemberIn,
    MemberOut,
    SessionIn,
    SessionOut,
    StudyIn,
    StudyOut,
)

router = APIRouter(prefix="/api/studies", tags=["studies"])


@router.get("", dependencies=[allow("authenticated")])
def list_studies(db: DbSession, login: CurrentLogin) -> list[StudyOut]:
    return [
        StudyOut(
            name=s.name,
            title=s.title,
            description=s.description,
            role=studies.role_of(db, study=s, user=login.user),
        )
        for s in studies.studies_for(db, login.user)
    ]


@router.post("", status_code=201, dependencies=[allow("authenticated")])
def create_study(body: StudyIn, db: DbSession, login: CurrentLogin) -> StudyOut:
    study = studies.create_study_as(
        db, name=body.name, creator=login.user, title=body.title, description=body.description
    )
    return StudyOut(name=study.name, title=study.title, description=study.description, role="owner")


@router.get("/{study}")
def get_study(access: ReadStudy) -> StudyOut:
    study = access.the_study
    return StudyOut(
        name=study.name,
        title=study.title,
        description=study.description,
        role=access.role,
        settings=study.settings or {},
    )


@router.get("/{study}/members")
def list_members(access: ManageMembers, db: DbSession) -> list[MemberOut]:
    return [
        MemberOut(username=m.user.username, role=m.role)
        for m in studies.members(db, access.the_study)
    ]


@router.put("/{study}/members", status_code=204)
def set_member(body: MemberIn, access: ManageMembers, db: DbSession) -> None:
    studies.set_role(
        db,
        study=access.the_study,
        user=accounts.get_user(db, body.username),
        role=body.role,
    )


@router.delete("/{study}/members/{username}", status_code=204)
def remove_member(username: str, access: ManageMembers, db: DbSession) -> None:
    """Take a member's role away (issue 21): the study closes to them at their next request."""
    studies.remove_member(db, study=access.the_study, user=accounts.get_user(db, username))


@router.get("/{study}/dyads")
def list_dyads(access: ReadStudy, db: DbSession) -> list[DyadOut]:
    return [
        DyadOut(code=d.code, child_birth_month=d.child_birth_month)
        for d in studies.dyads(db, access.the_study)
    ]


@router.post("/{study}/dyads", status_code=201)
def create_dyad(body: DyadIn, access: ManageStudy, db: DbSession) -> DyadOut:
    dyad = studies.get_or_create_dyad(
        db,
        study=access.the_study,
        code=body.code,
        child_birth_month=body.child_birth_month,
    )
    return DyadOut(code=dyad.code, child_birth_month=dyad.child_birth_month)


@router.get("/{study}/sessions")
def list_sessions(access: ReadStudy, db: DbSession) -> list[SessionOut]:
    return [session_out(db, s) for s in studies.sessions_of(db, access.the_study)]


@router.post("/{study}/sessions", status_code=201)
def create_session(body: SessionIn, access: ManageStudy, db: DbSession) -> SessionOut:
    study = access.the_study
    dyad = studies.get_or_create_dyad(db, study=study, code=body.dyad)
    session = studies.create_session(
        db,
        study=study,
        dyad=dyad,
        name=body.name,
        date=body.date,
        procedure=body.procedure,
        duration_ms=body.duration_ms,
        notes=body.notes,
    )
    return session_out(db, session)


@router.get("/{study}/sessions/{session}")
def get_session(access: ReadStudy, db: DbSession) -> SessionOut:
    return session_out(db, access.the_session)


@router.put("/{study}/sessions/{session}/segments/{segment_id}")
def put_segment(segment_id: str, body: Segment, access: CodeStudy, db: DbSession) -> Segment:
    segment = body.model_copy(update={"id": segment_id})
    studies.put_segment(db, session=access.the_session, segment=segment)
    return segment


@router.delete("/{study}/sessions/{session}/segments/{segment_id}", status_code=204)
def delete_segment(segment_id: str, access: CodeStudy, db: DbSession) -> None:
    studies.delete_segment(db, session=access.the_session, segment_id=segment_id)
