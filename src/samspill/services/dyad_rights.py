"""Data rights for one dyad: export everything about it, or delete it with all its data.

Deletion removes the dyad's sessions, codings, events, ratings, segments, identifying data,
media rows, chosen moments, guidance notes and reel exports in one transaction (foreign keys
cascade), then the media files no other session uses and the exported reels' files. The
audit log keeps one row saying who deleted which code and how many things: no
content of what was deleted.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from samspill.services import audit, identity, reels
from samspill.services.archive import _archived_session
from samspill.store import waveform
from samspill.store.media import media_path
from samspill.store.models import (
    Coding,
    Dyad,
    EventRow,
    MediaFile,
    ObservationSession,
    Rating,
    Study,
    User,
)
from samspill.store.models_moments import ReelRender

FORMAT = "samspill-dyad"


@dataclass(frozen=True)
class Deletion:
    """What a deletion removed, as counts, and the media files to remove after the commit."""

    code: str
    sessions: int
    codings: int
    events: int
    ratings: int
    media_files: int
    orphaned_sha256: tuple[str, ...]
    reels: int = 0  # exported reels (issue 23)
    reel_files: tuple[str, ...] = ()  # their files, to remove after the commit

    def summary(self) -> str:
        return (
            f"sessions={self.sessions} codings={self.codings} events={self.events} "
            f"ratings={self.ratings} media={self.media_files} reels={self.reels}"
        )


def dyad_document(db: Session, *, dyad: Dyad, with_identity: bool) -> dict[str, Any]:
    """Everything stored about the dyad, as one JSON-ready document."""
    sessions = db.scalars(
        select(ObservationSession)
        .where(ObservationSession.dyad_id == dyad.id)
        .order_by(ObservationSession.name)
    ).all()
    document = {
        "format": FORMAT,
        # 2: the moments are in their sessions only (version 1 listed them there and again
        # at the top, so a family's export held every moment twice).
        "format_version": 2,
        "code": dyad.code,
        "child_birth_month": dyad.child_birth_month,
        # Each session as the study archive holds it: segments, media, codings, phase, and
        # (issue 23) the moments chosen to show the family, with their guidance notes.
        "sessions": [_archived_session(db, s).model_dump(mode="json") for s in sessions],
    }
    if with_identity:
        found = identity.identity_of(db, dyad)
        document["identity"] = found.model_dump(mode="json") if found else None
    return document


def export_dyad(
    db: Session, *, dyad: Dyad, media_dir: Path, out: Path, with_identity: bool = False
) -> Path:
    """A zip with ``dyad.json`` and the dyad's media by hash; identity only when asked."""
    document = dyad_document(db, dyad=dyad, with_identity=with_identity)
    shas = sorted({m["sha256"] for s in document["sessions"] for m in s["media"]})
    tmp = out.with_suffix(out.suffix + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dyad.json", json.dumps(document, indent=1, ensure_ascii=False))
        for sha in shas:
            zf.write(media_path(media_dir, sha), f"media/{sha}", compress_type=zipfile.ZIP_STORED)
    tmp.replace(out)
    return out


def delete_dyad(db: Session, *, study: Study, dyad: Dyad, actor: User | None) -> Deletion:
    """Delete the dyad and everything about it; the caller commits, then :func:`remove_files`."""
    session_ids = select(ObservationSession.id).where(ObservationSession.dyad_id == dyad.id)
    coding_ids = select(Coding.id).where(Coding.session_id.in_(session_ids))
    shas = set(
        db.scalars(select(MediaFile.sha256).where(MediaFile.session_id.in_(session_ids))).all()
    )
    deletion = Deletion(
        code=dyad.code,
        sessions=_count(db, select(func.count()).select_from(session_ids.subquery())),
        codings=_count(db, select(func.count()).select_from(coding_ids.subquery())),
        events=_count(db, select(func.count()).where(EventRow.coding_id.in_(coding_ids))),
        ratings=_count(db, select(func.count()).where(Rating.coding_id.in_(coding_ids))),
        media_files=_count(
            db, select(func.count()).where(MediaFile.session_id.in_(session_ids))
        ),
        orphaned_sha256=(),
        reels=_count(db, select(func.count()).where(ReelRender.session_id.in_(session_ids))),
        reel_files=reels.files_of_dyad(db, dyad.id),
    )
    db.flush()  # rows pending in this unit of work (its audit row) are written before
    db.execute(delete(Dyad).where(Dyad.id == dyad.id))  # the foreign keys cascade
    db.expunge_all()  # rows loaded before are gone now; never hand them out again
    still_used = set(db.scalars(select(MediaFile.sha256).where(MediaFile.sha256.in_(shas))))
    audit.record(
        db,
        action="delete.dyad",
        user=db.get(User, actor.id) if actor else None,
        target=f"dyad {deletion.code}",
        study=study.name,
        detail=deletion.summary(),
    )
    return Deletion(**{**deletion.__dict__, "orphaned_sha256": tuple(sorted(shas - still_used))})


def remove_files(media_dir: Path, shas: tuple[str, ...]) -> int:
    """Remove media files after the deletion is committed; how many were there."""
    removed = 0
    for sha in shas:
        path = media_path(media_dir, sha)
        waveform.forget(path)
        if path.exists():
            path.unlink()
            removed += 1
    return removed


def _count(db: Session, query: Select[int]) -> int:
    return int(db.scalar(query) or 0)
