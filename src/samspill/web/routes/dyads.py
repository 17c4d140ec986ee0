"""A dyad's identifying data and data rights (export everything, delete everything): owners only.

JSON under ``/api/studies/{study}/dyads/{dyad}/...`` and one page, ``/studies/{study}/dyads``.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.background import BackgroundTask

from samspill.core.errors import N_, InputError
from samspill.services import audit, dyad_rights, identity, reels, studies
from samspill.services.identity import Identity
from samspill.services.jobs import REGISTRY
from samspill.web.deps import DbSession, ManageDyad, ManageIdentity
from samspill.web.schemas import BirthMonthIn, DeletionOut
from samspill.web.templating import templates

router = APIRouter(tags=["dyads"])
API = "/api/studies/{study}/dyads/{dyad}"


@router.get(API + "/identity")
def get_identity(dyad: str, access: ManageIdentity, db: DbSession) -> Identity | None:
    found = identity.get_dyad(db, study=access.study, code=dyad)  # type: ignore[arg-type]
    return identity.identity_of(db, found)


@router.put(API + "/identity")
def put_identity(dyad: str, body: Identity, access: ManageIdentity, db: DbSession) -> Identity:
    found = identity.get_dyad(db, study=access.study, code=dyad)  # type: ignore[arg-type]
    return identity.set_identity(db, dyad=found, identity=body)


@router.delete(API + "/identity", status_code=204)
def delete_identity(dyad: str, access: ManageIdentity, db: DbSession) -> None:
    found = identity.get_dyad(db, study=access.study, code=dyad)  # type: ignore[arg-type]
    identity.forget_identity(db, dyad=found)


@router.get(API + "/export")
def export_dyad(
    request: Request, dyad: str, access: ManageDyad, db: DbSession, identifying: bool = False
) -> FileResponse:
    """Everything about the dyad as a zip; names and birth date only with ``identifying=true``."""
    found = identity.get_dyad(db, study=access.study, code=dyad)  # type: ignore[arg-type]
    if identifying:
        audit.record(
            db,
            action="export.identity",
            user=access.user,
            target=f"dyad {found.code}",
            study=access.study.name,  # type: ignore[union-attr]
        )
    handle, name = tempfile.mkstemp(prefix="samspill-dyad-", suffix=".zip")
    os.close(handle)
    out = dyad_rights.export_dyad(
        db,
        dyad=found,
        media_dir=request.app.state.settings.media_dir,
        out=Path(name),
        with_identity=identifying,
    )
    return FileResponse(
        out,
        media_type="application/zip",
        filename=f"dyad-{found.code}.zip",
        background=BackgroundTask(out.unlink, missing_ok=True),
    )


@router.delete(API, response_model=DeletionOut)
def delete_dyad(request: Request, dyad: str, access: ManageDyad, db: DbSession) -> BaseModel:
    """Delete the dyad with its sessions, codings, events, ratings and media files."""
    found = identity.get_dyad(db, study=access.study, code=dyad)  # type: ignore[arg-type]
    deletion = dyad_rights.delete_dyad(db, study=access.study, dyad=found, actor=access.user)  # type: ignore[arg-type]
    db.commit()  # the rows are gone for good before any file is removed
    REGISTRY.discard_study(access.study.name)  # type: ignore[union-attr]  # no earlier export
    request.app.state.database.checkpoint()  # nor the SQLite WAL serves it (issue 21, 18)
    media_dir = request.app.state.settings.media_dir
    removed = dyad_rights.remove_files(media_dir, deletion.orphaned_sha256)
    removed += reels.remove_files(request.app.state.settings.data_dir, deletion.reel_files)
    # The model keeps the counts and drops the hashes (stored-only).
    return DeletionOut.model_validate({**dataclasses.asdict(deletion), "files_removed": removed})


@router.get("/studies/{study}/dyads", include_in_schema=False)
def dyads_page(request: Request, access: ManageIdentity, db: DbSession) -> Response:
    rows = [
        (d, identity.identity_of(db, d))
        for d in studies.dyads(db, access.study)  # type: ignore[arg-type]
    ]
    return templates.TemplateResponse(
        request,
        "dyads.html",
        {"user": access.user, "csrf": access.csrf, "study": access.study, "rows": rows},
    )


@router.post("/studies/{study}/dyads/{dyad}/identity", include_in_schema=False)
def identity_form(
    dyad: str,
    access: ManageIdentity,
    db: DbSession,
    child_name: Annotated[str, Form(max_length=200)] = "",
    caregiver_name: Annotated[str, Form(max_length=200)] = "",
    child_birth_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    found = identity.get_dyad(db, study=access.study, code=dyad)  # type: ignore[arg-type]
    try:
        body = Identity(
            child_name=child_name,
            caregiver_name=caregiver_name,
            child_birth_date=child_birth_date or None,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        raise InputError(N_("the birth date is not a date"),
                         fix=N_("write it as YYYY-MM-DD")) from exc
    identity.set_identity(db, dyad=found, identity=body)
    return RedirectResponse(f"/studies/{access.study.name}/dyads", status_code=303)  # type: ignore[union-attr]


@router.put(API + "/birth-month")
def put_birth_month(dyad: str, body: BirthMonthIn, access: ManageIdentity,
                    db: DbSession) -> BirthMonthIn:
    """Set (``YYYY-MM``) or clear (null) the child's birth month: the reports give the child's
    age at each session from it."""
    found = identity.get_dyad(db, study=access.study, code=dyad)  # type: ignore[arg-type]
    studies.set_birth_month(db, dyad=found, month=body.child_birth_month)
    return BirthMonthIn(child_birth_month=found.child_birth_month)


@router.post("/studies/{study}/dyads/{dyad}/birth-month", include_in_schema=False)
def birth_month_form(
    dyad: str,
    access: ManageIdentity,
    db: DbSession,
    child_birth_month: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    found = identity.get_dyad(db, study=access.study, code=dyad)  # type: ignore[arg-type]
    studies.set_birth_month(db, dyad=found, month=child_birth_month)
    return RedirectResponse(f"/studies/{access.study.name}/dyads", status_code=303)  # type: ignore[union-attr]


@router.post("/studies/{study}/dyads/{dyad}/delete", include_in_schema=False)
def delete_form(
    request: Request,
    dyad: str,
    access: ManageDyad,
    db: DbSession,
    confirm: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The page asks the owner to type the dyad's code, so a slip of the mouse deletes nothing."""
    if confirm != dyad:
        raise InputError(
            N_("the typed code does not match the dyad"),
            fix=N_("type the dyad's code to confirm"),
        )
    delete_dyad(request, dyad, access, db)
    return RedirectResponse(f"/studies/{access.study.name}/dyads", status_code=303)  # type: ignore[union-attr]
