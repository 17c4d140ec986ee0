"""Owners' forms: upload a session's video, the members page (the settings page is
:mod:`samspill.web.routes.study_settings`)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from samspill.core.errors import N_, InputError
from samspill.services import accounts, studies
from samspill.services.media import attach_file
from samspill.store.media import safe_filename
from samspill.web.deps import Access, DbSession, ManageMembers, ManageStudy
from samspill.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.post("/studies/{study}/sessions/{session}/media")
async def upload_form(
    request: Request,
    access: ManageStudy,
    db: DbSession,
    video: UploadFile,
    offset_ms: Annotated[int, Form()] = 0,
) -> Response:
    """The upload form: the file is checked by ffmpeg, stored by its hash, then attached."""
    settings = request.app.state.settings
    limit = settings.max_upload_mb * 2**20
    if video.size is not None and video.size > limit:
        raise InputError(
            N_("the video is larger than {size} MB"),
            fix=N_("compress the video or raise max_upload_mb"),
            params={"size": settings.max_upload_mb},
        )
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.media_dir, prefix=".incoming-") as folder:
        spool = Path(folder) / safe_filename(video.filename or "video")
        with spool.open("wb") as handle:
            await run_in_threadpool(shutil.copyfileobj, video.file, handle)
        await run_in_threadpool(
            attach_file,
            db,
            session=access.the_session,
            media_dir=settings.media_dir,
            source=spool,
            offset_ms=offset_ms,
        )
    return _back(access, f"/sessions/{access.the_session.name}")


@router.get("/studies/{study}/members")
def members_page(request: Request, access: ManageMembers, db: DbSession) -> Response:
    """The owner's members page (issue 21): add a colleague, change a role, remove a member."""
    return templates.TemplateResponse(
        request,
        "members.html",
        {
            "user": access.user,
            "csrf": access.csrf,
            "study": access.the_study,
            "members": studies.members(db, access.the_study),
            "roles": studies.ROLES,
        },
    )


@router.post("/studies/{study}/members")
def add_member(
    access: ManageMembers,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    next: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    studies.set_role(db, study=access.the_study, user=accounts.get_user(db, username), role=role)
    return _back(access, "/members" if next == "members" else "")


@router.post("/studies/{study}/members/{username}/remove")
def remove_member_form(username: str, access: ManageMembers, db: DbSession) -> Response:
    studies.remove_member(db, study=access.the_study, user=accounts.get_user(db, username))
    if username == access.user.username and not access.user.is_admin:
        return RedirectResponse("/", status_code=303)  # they left the study themselves
    return _back(access, "/members")


def _back(access: Access, tail: str = "") -> Response:
    return RedirectResponse(f"/studies/{access.the_study.name}{tail}", status_code=303)
