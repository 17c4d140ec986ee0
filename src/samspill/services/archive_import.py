"""Import a study exported by ``services/archive.py``: every member checked before anything is
written (its size, its ratio against a zip bomb, its kind of media), then all or nothing."""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.core.scheme import Scheme
from samspill.services import coding_ratings, codings, studies, trajectory, transcripts
from samspill.services.archive_model import (
    FORMAT_VERSION,
    ArchivedCoding,
    ArchivedMedia,
    ArchivedMoment,
    ArchivedScheme,
    ArchivedSession,
    StudyArchive,
)
from samspill.services.codings import keep_or_renew_ids
from samspill.services.schemes import register_scheme
from samspill.store.folder import ARCHIVE_MEDIA, check_entries
from samspill.store.media import is_playable, store_stream
from samspill.store.models import (
    Coding,
    Dyad,
    EventRow,
    MediaFile,
    ObservationSession,
    SchemeVersion,
    SegmentRow,
    Study,
    User,
)
from samspill.store.models_moments import GuidanceNote, Moment

MAX_JSON_BYTES = 512 * 2**20
MAX_MEMBER_RATIO = 200  # a zip member that inflates more than this is refused as a bomb
# A moment's own fields, copied as they are; its coding, people and event ids are mapped.
_MOMENT_FIELDS = {"kind", "status", "reasons", "clarity", "key_ms", "start_ms", "end_ms",
                  "position", "caption", "freeze", "slow"}
SchemeKey = tuple[str, int]  # (scheme id, version), as an archived coding names its scheme
# What zipfile raises for a damaged or unsupported member (bad header, CRC, method, and
# RuntimeError for an encrypted one).
DAMAGED_MEMBER = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)


def read_archive(path: Path) -> tuple[StudyArchive, zipfile.ZipFile]:
    """Open and validate an archive; the caller closes the returned zip file."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(
            N_("{path} is not a Samspill study archive ({reason})"),
            fix=N_("export it again with 'samspill study export'"),
            params={"path": str(path), "reason": str(exc)},
        ) from exc
    try:
        return _parse(zf, path), zf
    except BaseException:
        zf.close()
        raise


def _parse(zf: zipfile.ZipFile, path: Path) -> StudyArchive:
    check_entries(zf, path, {"study.json"}, ARCHIVE_MEDIA)  # issue 21, item 9
    for info in zf.infolist():
        if (
            info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1)
            and info.file_size > 2**20
        ):
            raise InputError(
                N_("{path}: member '{member}' inflates {size} bytes "
                   "from far fewer; refusing a possible zip bomb"),
                fix=N_("export the study again"),
                params={"path": str(path), "member": info.filename, "size": info.file_size},
            )
    try:
        info = zf.getinfo("study.json")
    except KeyError as exc:
        raise InputError(N_("{path} has no study.json"), fix=N_("export it again"),
                         params={"path": str(path)}) from exc
    if info.file_size > MAX_JSON_BYTES:
        raise InputError(N_("{path}: study.json is too large"), fix=N_("split the study"),
                         params={"path": str(path)})
    try:
        raw = json.loads(_read_member(zf, info, path))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            N_("{path}: study.json is not valid JSON ({reason})"), fix=N_("export it again"),
            params={"path": str(path), "reason": str(exc)},
        ) from exc
    if (
        isinstance(raw, dict)
        and isinstance(raw.get("format_version"), int)
        and raw["format_version"] > FORMAT_VERSION
    ):
        raise InputError(
            N_("{path} was written by a newer Samspill (format {version})"),
            fix=N_("upgrade Samspill to import it"),
            params={"path": str(path), "version": raw["format_version"]},
        )
    try:
        archive = StudyArchive.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            N_("{path}: study.json is malformed at {at}: {reason}"),
            fix=N_("export it again with 'samspill study export'"),
            params={"path": str(path), "at": where, "reason": str(first["msg"])},
        ) from exc
    _check_media_types(archive)
    return archive


def _check_media_types(archive: StudyArchive) -> None:
    """Refuse the whole archive if any media file claims a type that is not video or audio:
    an archive is a file anyone could have written, and a "video" claiming text/html would
    run its script in a coder's browser when played (issue 21, item 8)."""
    for session in archive.sessions:
        for media in session.media:
            if not is_playable(media.content_type):
                raise InputError(
                    N_("media file {name} claims the type '{type}', which is not a video or "
                       "audio type; nothing was imported"),
                    fix=N_("export the study again from Samspill; media must be video or audio"),
                    params={"name": media.filename[:80], "type": media.content_type[:40]},
                )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """A member's bytes; a damaged or unsupported member is a clear error, not a crash."""
    try:
        return zf.read(info)
    except DAMAGED_MEMBER as exc:
        raise InputError(
            N_("{path}: the archive member '{member}' is damaged ({reason})"),
            fix=N_("export the study again with 'samspill study export'"),
            params={"path": str(path), "member": info.filename, "reason": str(exc)},
        ) from exc


def import_study(
    db: Session, *, path: Path, media_dir: Path, importer: User, rename: str | None = None
) -> Study:
    """Import an archive in the caller's transaction: any error leaves nothing behind."""
    archive, zf = read_archive(path)
    with zf:
        return _import(db, archive, zf, media_dir, importer, rename)


def _import(
    db: Session,
    archive: StudyArchive,
    zf: zipfile.ZipFile,
    media_dir: Path,
    importer: User,
    rename: str | None,
) -> Study:
    study = studies.create_study(
        db,
        name=rename or archive.name,
        owner=importer,
        title=archive.title,
        description=archive.description,
    )
    study.settings = dict(archive.settings)
    users = {m.username: _user(db, m.username) for m in archive.members}
    for member in archive.members:
        studies.set_role(db, study=study, user=users[member.username], role=member.role)
    if importer.username not in {m.username for m in archive.members if m.role == "owner"}:
        studies.set_role(db, study=study, user=importer, role="owner")
    versions = {(s.scheme_id, s.version): _scheme(db, s) for s in archive.schemes}
    dyads = {
        d.code: studies.get_or_create_dyad(
            db, study=study, code=d.code, child_birth_month=d.child_birth_month
        )
        for d in archive.dyads
    }
    for item in archive.sessions:
        _import_session(db, study, item, dyads, versions, zf, media_dir)
    return study


def _user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:  # coders arrive without a password; an admin sets one or issues a token
        user = User(username=username, password_hash=None)
        db.add(user)
        db.flush()
    return user


def _scheme(db: Session, archived: ArchivedScheme) -> SchemeVersion:
    try:
        scheme = Scheme.model_validate(archived.content)
    except ValidationError as exc:
        raise InputError(
            N_("scheme {scheme} in the archive is malformed"), fix=N_("export the study again"),
            params={"scheme": archived.scheme_id},
        ) from exc
    row = register_scheme(db, scheme)
    if row.content_hash != archived.content_hash:
        raise InputError(
            N_("scheme {scheme} v{version} does not match its hash"),
            fix=N_("the archive was changed by hand; export it again"),
            params={"scheme": archived.scheme_id, "version": archived.version},
        )
    return row


def _import_session(
    db: Session,
    study: Study,
    item: ArchivedSession,
    dyads: dict[str, Dyad],
    versions: dict[SchemeKey, SchemeVersion],
    zf: zipfile.ZipFile,
    media_dir: Path,
) -> None:
    dyad = dyads.get(item.dyad) or studies.get_or_create_dyad(db, study=study, code=item.dyad)
    session = studies.create_session(
        db,
        study=study,
        dyad=dyad,
        name=item.name,
        date=item.date,
        procedure=item.procedure,
        duration_ms=item.duration_ms,
        notes=item.notes,
    )
    session.ground_truth = item.ground_truth
    session.source_metadata = item.source_metadata
    segments = keep_or_renew_ids(db, SegmentRow, f"session/{session.id}", item.segments)
    for segment in segments:
        studies.put_segment(db, session=session, segment=segment)
    # A copy restored beside its original gets new segment and event ids: ratings and
    # moments follow them through these maps (old id → new id).
    segment_ids = {old.id: new.id for old, new in zip(item.segments, segments, strict=True)}
    for media in item.media:
        _import_media(db, session, media, zf, media_dir)
    event_ids: dict[str, str] = {}
    made = [_import_coding(db, session, archived, versions, segment_ids, event_ids)
            for archived in item.codings]
    trajectory.set_phase(db, session=session, phase=item.phase)
    for moment in item.moments:
        _import_moment(db, session, moment, made, event_ids)


def _import_moment(
    db: Session,
    session: ObservationSession,
    archived: ArchivedMoment,
    made: list[Coding],
    event_ids: dict[str, str],
) -> None:
    if archived.coding is not None and archived.coding >= len(made):
        raise InputError(
            N_("a moment refers to coding {number}, which the archive lacks"),
            fix=N_("export it again"), params={"number": archived.coding},
        )
    kind, _, key = archived.proposal_key.partition(":")
    row = Moment(
        session_id=session.id,
        coding_id=None if archived.coding is None else made[archived.coding].id,
        proposal_key=f"{kind}:{event_ids.get(key, key)}"[:120] if key else archived.proposal_key,
        evidence=[event_ids.get(e, e) for e in archived.evidence],
        decided_by_id=_user(db, archived.decided_by).id if archived.decided_by else None,
        **archived.model_dump(include=_MOMENT_FIELDS),
    )
    db.add(row)
    db.flush()
    if archived.note is not None:
        note = archived.note
        db.add(GuidanceNote(
            moment_id=row.id, parent_did=note.parent_did, child_showed=note.child_showed,
            to_try=note.to_try,
            written_by_id=_user(db, note.written_by).id if note.written_by else None))
        db.flush()


def _import_media(
    db: Session,
    session: ObservationSession,
    media: ArchivedMedia,
    zf: zipfile.ZipFile,
    media_dir: Path,
) -> None:
    try:
        with zf.open(f"media/{media.sha256}") as member:
            stored = store_stream(
                media_dir, iter(lambda: member.read(1 << 20), b""), max_bytes=media.size_bytes
            )
    except KeyError as exc:
        raise InputError(
            N_("the archive lacks the media file {name}"), fix=N_("export it again"),
            params={"name": media.filename},
        ) from exc
    except DAMAGED_MEMBER as exc:
        raise InputError(
            N_("the media file {name} in the archive is damaged ({reason})"),
            fix=N_("export the study again"),
            params={"name": media.filename, "reason": str(exc)},
        ) from exc
    if stored.sha256 != media.sha256:
        raise InputError(
            N_("media file {name} is damaged (checksum differs)"),
            fix=N_("export the study again"),
            params={"name": media.filename},
        )
    db.add(MediaFile(session_id=session.id, **media.model_dump()))


def _import_coding(
    db: Session,
    session: ObservationSession,
    archived: ArchivedCoding,
    versions: dict[SchemeKey, SchemeVersion],
    segment_ids: dict[str, str],
    event_ids: dict[str, str],
) -> Coding:
    version = versions.get((archived.scheme_id, archived.scheme_version))
    if version is None:
        raise InputError(
            N_("a coding refers to scheme {scheme} v{version}, which the archive lacks"),
            fix=N_("export it again"),
            params={"scheme": archived.scheme_id, "version": archived.scheme_version},
        )
    coding = codings.create_coding(
        db,
        session=session,
        coder=_user(db, archived.coder),
        scheme_version=version,
        purpose=archived.purpose,
    )
    events = keep_or_renew_ids(db, EventRow, f"coding/{coding.id}", archived.events)
    event_ids.update({old.id: new.id for old, new in zip(archived.events, events, strict=True)})
    codings.replace_events(db, coding=coding, events=events)
    coding_ratings.set_ratings(db, coding=coding, ratings=archived.ratings)
    for segment_id, values in archived.segment_ratings.items():
        if segment_id not in segment_ids:
            raise InputError(
                N_("a coding rates segment {segment}, which the archive lacks"),
                fix=N_("export it again"), params={"segment": segment_id},
            )
        coding_ratings.set_segment_ratings(db, coding=coding, segment_id=segment_ids[segment_id],
                                    ratings=dict(values))
    if archived.transcript:
        transcripts.save(db, coding=coding, text=archived.transcript, base_version=0,
                         by=coding.coder)
    codings.set_status(db, coding=coding, status=archived.status)
    return coding
