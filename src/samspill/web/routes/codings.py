"""Codings: create, read (blind rules apply), events, actions, ratings, submit and reopen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from samspill.core.errors import PermissionDeniedError
from samspill.services import actions, codings
from samspill.services.schemes import latest_version
from samspill.store.models import Coding
from samspill.web.deps import Access, DbSession, Permission, check_coding_access
from samspill.web.schemas import (
    ActionResult,
    ActionsIn,
    CodingIn,
    CodingOut,
    EventsOut,
    RatingsIn,
    StatusIn,
)

router = APIRouter(tags=["codings"])
ReadStudy = Annotated[Access, Depends(Permission("study.read"))]
CodeStudy = Annotated[Access, Depends(Permission("study.code"))]
ReadCoding = Annotated[Access, Depends(Permission("coding.read"))]
WriteCoding = Annotated[Access, Depends(Permission("coding.write"))]
ManageCoding = Annotated[Access, Depends(Permission("coding.manage"))]


def coding_out(coding: Coding) -> CodingOut:
    version = coding.scheme_version
    return CodingOut(
        id=coding.id,
        session=coding.session.name,
        study=coding.session.study.name,
        coder=coding.coder.username,
        scheme_id=version.scheme_id,
        scheme_version=version.version,
        scheme_hash=version.content_hash,
        status=coding.status,
        purpose=coding.purpose,
    )


def visible_codings(access: Access, db: DbSession) -> list[Coding]:
    """The session's codings this user may see: blind coding is enforced here, not in the UI."""
    out = []
    for coding in codings.codings_of(db, access.session):  # type: ignore[arg-type]
        try:
            check_coding_access(Access(access.user, access.role, coding=coding), write=False)
        except Exception:
            continue
        out.append(coding)
    return out


@router.get("/api/studies/{study}/sessions/{session}/codings")
def list_codings(access: ReadStudy, db: DbSession) -> list[CodingOut]:
    return [coding_out(c) for c in visible_codings(access, db)]


@router.post("/api/studies/{study}/sessions/{session}/codings", status_code=201)
def create_coding(body: CodingIn, access: CodeStudy, db: DbSession) -> CodingOut:
    purpose = "training" if access.role == "trainee" else body.purpose
    coding = codings.create_coding(
        db,
        session=access.session,
        coder=access.user,  # type: ignore[arg-type]
        scheme_version=latest_version(db, body.scheme_id),
        purpose=purpose,
    )
    return coding_out(coding)


@router.get("/api/codings/{coding_id}")
def get_coding(access: ReadCoding) -> CodingOut:
    return coding_out(access.coding)  # type: ignore[arg-type]


@router.get("/api/codings/{coding_id}/events")
def get_events(access: ReadCoding, db: DbSession) -> EventsOut:
    return EventsOut(
        coding_id=access.coding.id,  # type: ignore[union-attr]
        events=codings.coding_events(db, access.coding),
    )  # type: ignore[arg-type]


@router.post("/api/codings/{coding_id}/actions")
def post_actions(body: ActionsIn, access: WriteCoding, db: DbSession) -> list[ActionResult]:
    """Apply the outbox's actions in order; answered only after the commit."""
    results = actions.apply_actions(db, coding=access.coding, actions=body.actions)  # type: ignore[arg-type]
    db.commit()
    return results


@router.get("/api/codings/{coding_id}/ratings")
def get_ratings(access: ReadCoding, db: DbSession) -> dict[str, str]:
    return codings.ratings_of(db, access.coding)  # type: ignore[arg-type]


@router.put("/api/codings/{coding_id}/ratings")
def put_ratings(body: RatingsIn, access: WriteCoding, db: DbSession) -> dict[str, str]:
    codings.set_ratings(db, coding=access.coding, ratings=body.ratings)  # type: ignore[arg-type]
    return codings.ratings_of(db, access.coding)  # type: ignore[arg-type]


@router.put("/api/codings/{coding_id}/status")
def put_status(body: StatusIn, access: WriteCoding, db: DbSession) -> CodingOut:
    """Coders submit their own coding; only an owner reopens one or marks a master."""
    coding = access.coding
    assert coding is not None
    if body.status != "submitted" and access.role != "owner":
        raise PermissionDeniedError(
            "only the study's owner can reopen or mark a master", fix="ask the study's owner"
        )
    if body.status == "submitted":
        codings.ensure_open(coding)
    codings.set_status(db, coding=coding, status=body.status)
    return coding_out(coding)
