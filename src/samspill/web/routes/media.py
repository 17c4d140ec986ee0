"""Video upload (owners) and range-served playback (anyone who may read the study); the offsets
of a session's several cameras and their clap alignment (owners, issue 14)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from samspill.core.errors import N_, InputError
from samspill.services.media import attach_file, get_media, propose_alignment, set_offset
from samspill.store import waveform
from samspill.store.media import is_playable, media_path, safe_filename
from samspill.web.api_shapes import session_out
from samspill.web.deps import DbSession, ManageStudy, ReadMedia
from samspill.web.schemas import AlignIn, AlignmentOut, MediaOut, OffsetIn, SessionOut

router = APIRouter(tags=["media"])


@router.post("/api/studies/{study}/sessions/{session}/media", status_code=201)
async def upload(
    request: Request,
    access: ManageStudy,
    db: DbSession,
    filename: str = "video",
    offset_ms: int = 0,
) -> SessionOut:
    """The request body is the raw video (streamed; the size limit applies as it arrives)."""
    settings = request.app.state.settings
    # The offset is checked by the service (only another camera may start before 0).
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.media_dir, prefix=".incoming-") as folder:
        spool = Path(folder) / safe_filename(filename)
        with spool.open("wb") as handle:
            async for chunk in _limited(request, settings.max_upload_mb * 2**20):
                handle.write(chunk)
        await run_in_threadpool(
            attach_file,
            db,
            session=access.the_session,
            media_dir=settings.media_dir,
            source=spool,
            offset_ms=offset_ms,
        )
    return session_out(db, access.the_session)


async def _limited(request: Request, max_bytes: int) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise InputError(
                N_("the upload is larger than {size} MB"),
                fix=N_("compress the video or raise max_upload_mb"),
                params={"size": max_bytes // 2**20},
            )
        yield chunk


@router.get("/api/media/{media_id}")
def play(request: Request, access: ReadMedia) -> FileResponse:
    """The video, range requests allowed. Never cached (``no-store``, from the app's headers:
    a shared hospital computer keeps no copy), and inline only as a video or audio type."""
    media = access.the_media
    path = media_path(request.app.state.settings.media_dir, media.sha256)
    if is_playable(media.content_type):
        return FileResponse(path, media_type=media.content_type)
    return FileResponse(
        path, media_type="application/octet-stream", filename=safe_filename(media.filename)
    )


@router.get("/api/media/{media_id}/waveform")
def waveform_of(request: Request, access: ReadMedia) -> JSONResponse:
    """The audio's peaks for the coding screen's waveform lane: ``{"audio", "step_ms",
    "duration_ms", "peaks": [min, max, ...]}`` (-127..127 per 10 ms); ``audio`` false when the
    file has none. Computed once per file with ffmpeg and cached beside it."""
    media = access.the_media
    found = waveform.waveform(media_path(request.app.state.settings.media_dir, media.sha256))
    return JSONResponse(found, headers={"Cache-Control": "private, max-age=3600"})


@router.put("/api/media/{media_id}/offset")
def put_offset(body: OffsetIn, access: ManageStudy, db: DbSession) -> MediaOut:
    """Move a clip on the session clock (the coding screen's nudges and a confirmed clap
    alignment). Events stay where they are: they live on the session clock. Audited."""
    media = set_offset(db, media=access.the_media, offset_ms=body.offset_ms, user=access.user)
    return MediaOut.model_validate(media, from_attributes=True)


@router.post("/api/media/{media_id}/align")
def align(request: Request, body: AlignIn, access: ManageStudy, db: DbSession) -> AlignmentOut:
    """Propose the offset that puts this clip's clap on the reference clip's clap, found by
    cross-correlating their audio (the first 3 minutes). Nothing is saved: the user confirms
    with ``PUT .../offset``."""
    found = propose_alignment(
        db,
        media=access.the_media,
        reference=get_media(db, body.reference_id),
        media_dir=request.app.state.settings.media_dir,
    )
    return AlignmentOut.model_validate(found, from_attributes=True)
