"""Export a whole study to one zip file, losslessly (``services/archive_import.py`` reads it
back, all or nothing)."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.services import coding_ratings, codings, moments, studies, trajectory, transcripts
from samspill.services.archive_model import (
    ArchivedCoding,
    ArchivedDyad,
    ArchivedMedia,
    ArchivedMember,
    ArchivedMoment,
    ArchivedNote,
    ArchivedScheme,
    ArchivedSession,
    CodingPurpose,
    CodingStatus,
    StudyArchive,
)
from samspill.services.media import media_of
from samspill.services.studies import Role
from samspill.store.media import media_path
from samspill.store.models import (
    Coding,
    ObservationSession,
    Study,
    User,
)
from samspill.store.models_moments import Moment

Phase = Literal["intake", "guidance", "follow-up"]
MomentKind = Literal["good", "missed"]
MomentStatus = Literal["accepted", "rejected"]


def build_archive(db: Session, study: Study) -> StudyArchive:
    sessions = studies.sessions_of(db, study)
    all_codings = [c for s in sessions for c in codings.codings_of(db, s)]
    versions = {c.scheme_version.id: c.scheme_version for c in all_codings}
    return StudyArchive(
        name=study.name,
        title=study.title,
        description=study.description,
        settings=dict(study.settings or {}),
        members=[
            ArchivedMember(username=m.user.username, role=cast(Role, m.role))  # set_role checks it
            for m in studies.members(db, study)
        ],
        schemes=[
            ArchivedScheme(
                scheme_id=v.scheme_id,
                version=v.version,
                content_hash=v.content_hash,
                content=v.content,
            )
            for v in versions.values()
        ],
        dyads=[
            ArchivedDyad(code=d.code, child_birth_month=d.child_birth_month)
            for d in studies.dyads(db, study)
        ],
        sessions=[_archived_session(db, s) for s in sessions],
    )


def _archived_session(db: Session, session: ObservationSession) -> ArchivedSession:
    session_codings = codings.codings_of(db, session)
    return ArchivedSession(
        name=session.name,
        dyad=session.dyad.code,
        date=session.date,
        procedure=session.procedure,
        duration_ms=session.duration_ms,
        notes=session.notes,
        ground_truth=session.ground_truth,
        source_metadata=session.source_metadata,
        segments=studies.segments_of(db, session),
        media=[
            ArchivedMedia.model_validate(m, from_attributes=True) for m in media_of(db, session)
        ],
        codings=[_archived_coding(db, c) for c in session_codings],
        phase=cast(Phase | None, trajectory.phases_of(db, [session.id]).get(session.id)),
        moments=[_archived_moment(db, m, session_codings) for m in _decided(db, session)],
    )


def _decided(db: Session, session: ObservationSession) -> list[Moment]:
    """Every decided moment, accepted and rejected (a rejection keeps it from coming back)."""
    return list(db.scalars(select(Moment).where(Moment.session_id == session.id)
                           .order_by(Moment.position, Moment.id)))


def _archived_moment(
    db: Session, moment: Moment, session_codings: Sequence[Coding]
) -> ArchivedMoment:
    places = {c.id: i for i, c in enumerate(session_codings)}
    note = moments.note_of(db, moment)
    return ArchivedMoment(
        coding=places.get(moment.coding_id) if moment.coding_id is not None else None,
        proposal_key=moment.proposal_key,
        kind=cast(MomentKind, moment.kind),  # services.moments writes only these values
        status=cast(MomentStatus, moment.status),
        reasons=[str(r) for r in moment.reasons],
        evidence=[str(e) for e in moment.evidence],
        clarity=moment.clarity,
        key_ms=moment.key_ms,
        start_ms=moment.start_ms,
        end_ms=moment.end_ms,
        position=moment.position,
        caption=moment.caption,
        freeze=moment.freeze,
        slow=moment.slow,
        decided_by=_username(db, moment.decided_by_id),
        note=None if note is None else ArchivedNote(
            parent_did=note.parent_did, child_showed=note.child_showed, to_try=note.to_try,
            written_by=_username(db, note.written_by_id)),
    )


def _username(db: Session, user_id: int | None) -> str | None:
    user = db.get(User, user_id) if user_id is not None else None
    return user.username if user else None


def _archived_coding(db: Session, coding: Coding) -> ArchivedCoding:
    return ArchivedCoding(
        coder=coding.coder.username,
        scheme_id=coding.scheme_version.scheme_id,
        scheme_version=coding.scheme_version.version,
        # The columns hold only these values (services.codings checks them on the way in);
        # the model checks them again.
        status=cast(CodingStatus, coding.status),
        purpose=cast(CodingPurpose, coding.purpose),
        events=codings.coding_events(db, coding),
        ratings=coding_ratings.ratings_of(db, coding),
        transcript=_transcript_text(db, coding),
        segment_ratings=coding_ratings.segment_ratings_of(db, coding),
    )


def _transcript_text(db: Session, coding: Coding) -> str:
    row = transcripts.transcript_of(db, coding)
    return row.text if row else ""


def export_study(db: Session, *, study: Study, media_dir: Path, out: Path) -> Path:
    archive = build_archive(db, study)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("study.json", archive.model_dump_json(indent=1))
        for sha in sorted({m.sha256 for s in archive.sessions for m in s.media}):
            zf.write(media_path(media_dir, sha), f"media/{sha}", compress_type=zipfile.ZIP_STORED)
    tmp.replace(out)  # a reader never sees half an archive
    return out


