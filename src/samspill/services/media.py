"""Attach a video to a session: store it, probe it, record it; set and propose the offsets of a
session's several cameras (issue 14)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.clap import find_lag
from samspill.core.errors import N_, InputError, NotFoundError
from samspill.core.waveform import SAMPLE_RATE
from samspill.services import audit
from samspill.store.media import (
    StoredMedia,
    media_path,
    probe,
    safe_filename,
    store_file,
    store_stream,
)
from samspill.store.models import MediaFile, ObservationSession, Study, User
from samspill.store.waveform import decode_audio

# Issue 14 (M17): several cameras per session. A clip's offset says where its media time 0 falls
# on the session clock; the main clip (the first attached) normally keeps 0. Events live on the
# session clock, so changing an offset never moves an event: it moves the clip under them.
MAX_OFFSET_MS = 24 * 3600 * 1000
ALIGN_WINDOW_S = 180  # a clap is given at the start of filming: the first 3 minutes are searched


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
    _check_new_offset(db, session, offset_ms)
    stored = store_stream(media_dir, chunks, max_bytes=max_bytes)
    return _record(db, session=session, stored=stored, filename=filename, offset_ms=offset_ms)


def attach_file(
    db: Session, *, session: ObservationSession, media_dir: Path, source: Path, offset_ms: int = 0
) -> MediaFile:
    _check_new_offset(db, session, offset_ms)
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


def _check_new_offset(db: Session, session: ObservationSession, offset_ms: int) -> None:
    """The main clip (the first) starts at or after the session clock's 0; another camera may
    have started earlier (a negative offset)."""
    if abs(offset_ms) > MAX_OFFSET_MS:
        raise InputError(
            N_("the offset must be a whole number of ms within 24 hours either way"),
            fix=N_("give the offset in ms, for example 1500 or -240"),
        )
    if offset_ms < 0 and not media_of(db, session):
        raise InputError(
            N_("the session's first video must not have a negative offset"),
            fix=N_("give 0 or more ms; a later camera may start before it"),
        )


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



@dataclass(frozen=True)
class Alignment:
    """A proposed offset for ``media_id`` that puts its clap on ``reference_id``'s clap."""

    media_id: int
    reference_id: int
    offset_ms: int
    lag_ms: int
    confidence: float
    doubtful: bool


def set_offset(db: Session, *, media: MediaFile, offset_ms: int, user: User | None) -> MediaFile:
    """Save a clip's offset (integer ms, negative when the camera started before the session
    clock's 0) and audit the change with the old and new values."""
    if not isinstance(offset_ms, int) or abs(offset_ms) > MAX_OFFSET_MS:
        raise InputError(
            N_("the offset must be a whole number of ms within 24 hours either way"),
            fix=N_("give the offset in ms, for example 1500 or -240"),
        )
    old = media.offset_ms
    media.offset_ms = offset_ms
    session = db.get(ObservationSession, media.session_id)
    study = db.get(Study, session.study_id) if session else None
    audit.record(db, action="media.offset", user=user, target=f"media {media.id}",
                 study=study.name if study else None, detail=f"offset {old} -> {offset_ms} ms")
    db.flush()
    return media


def propose_alignment(
    db: Session, *, media: MediaFile, reference: MediaFile, media_dir: Path
) -> Alignment:
    """The offset for ``media`` that lines its clap up with ``reference``'s (nothing saved)."""
    if media.session_id != reference.session_id or media.id == reference.id:
        raise InputError(
            N_("align a clip on another clip of the same session"),
            fix=N_("choose two different videos of this session"),
        )
    rate = SAMPLE_RATE
    tracks = [decode_audio(media_path(media_dir, m.sha256), rate, limit_s=ALIGN_WINDOW_S)
              for m in (reference, media)]
    ref_audio, clip_audio = tracks
    if ref_audio is None or clip_audio is None:
        raise InputError(
            N_("one of the clips has no audio: there is no sound to align on"),
            fix=N_("align the clips by nudging the offset (a frame or 100 ms at a time)"),
        )
    try:
        found = find_lag(ref_audio, rate, clip_audio, rate)
    except InputError as exc:  # said again with marked words, so bokmål readers get them too
        raise InputError(
            N_("one of the clips has no sharp sound (a clap) to align on"),
            fix=N_("align the clips by nudging the offset (a frame or 100 ms at a time)"),
        ) from exc
    # The clap is at media time r in the reference and c in the clip: c + offset = r + ref offset.
    return Alignment(media.id, reference.id, reference.offset_ms + found.lag_ms, found.lag_ms,
                     found.confidence, found.doubtful)
