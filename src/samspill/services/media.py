"""Attach a video to a session: store it, probe it, record it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError, NotFoundError
from samspill.store.media import StoredMedia, probe, safe_filename, store_file, store_stream
from samspill.store.models import MediaFile, ObservationSession


def attach_stream(
    db: Session,
    *,
    session: ObservationSession,
    media_dir: Path,
    chunks: Iterable[bytes],
    filename: str,
    max_bytes: int,
    offset_ms: int = 0,
) -> MediaFile:
    stored = store_stream(media_dir, chunks, max_bytes=max_bytes)
    return _record(db, session=session, stored=stored, filename=filename, offset_ms=offset_ms)


def attach_file(
    db: Session, *, session: ObservationSession, media_dir: Path, source: Path, offset_ms: int = 0
) -> MediaFile:
    stored = store_file(media_dir, source)
    return _record(db, session=session, stored=stored, filename=source.name, offset_ms=offset_ms)


def _record(
    db: Session, *, session: ObservationSession, stored: StoredMedia, filename: str, offset_ms: int
) -> MediaFile:
    info = probe(stored.path)
    if info.content_type == "application/octet-stream":
        raise InputError(
            N_("the file's container is not a supported video format"),
            fix=N_("upload MP4, WebM, MOV or AVI"),
        )
    media = MediaFile(
        session_id=session.id,
        sha256=stored.sha256,
        filename=safe_filename(filename),
        content_type=info.content_type,
        size_bytes=stored.size_bytes,
        duration_ms=info.duration_ms,
        fps=info.fps,
        offset_ms=offset_ms,
    )
    db.add(media)
    if session.duration_ms is None and info.duration_ms:
        session.duration_ms = info.duration_ms + offset_ms
    db.flush()
    return media


def media_of(db: Session, session: ObservationSession) -> list[MediaFile]:
    return list(
        db.scalars(
            select(MediaFile).where(MediaFile.session_id == session.id).order_by(MediaFile.id)
        ).all()
    )


def get_media(db: Session, media_id: int) -> MediaFile:
    media = db.get(MediaFile, media_id)
    if media is None:
        raise NotFoundError(N_("no media file {id}"), fix=N_("check the session's media list"),
                            params={"id": media_id})
    return media
