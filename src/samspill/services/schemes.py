"""Scheme versions in the database: content-addressed, never changed once stored."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, NotFoundError
from samspill.core.scheme import Scheme, SegmentTemplate
from samspill.core.scheme_check import builtin_scheme_ids, load_builtin_scheme
from samspill.store.models import Coding, ObservationSession, SchemeVersion


def register_scheme(db: Session, scheme: Scheme) -> SchemeVersion:
    """Store a scheme; the same content returns its stored version, new content a new one.

    The number in the file is a hint: a changed scheme always gets the next free version, so a
    coding made under version N keeps meaning what it meant.
    """
    content_hash = scheme.content_hash()
    existing = db.scalar(
        select(SchemeVersion).where(
            SchemeVersion.scheme_id == scheme.id, SchemeVersion.content_hash == content_hash
        )
    )
    if existing is not None:
        return existing
    latest = (
        db.scalar(
            select(func.max(SchemeVersion.version)).where(SchemeVersion.scheme_id == scheme.id)
        )
        or 0
    )
    version = max(latest + 1, scheme.version if latest == 0 else latest + 1)
    stored = scheme.model_copy(update={"version": version})
    row = SchemeVersion(
        scheme_id=scheme.id,
        version=version,
        content_hash=content_hash,
        content=stored.model_dump(mode="json"),
        licensed=scheme.licensed,
    )
    db.add(row)
    db.flush()
    return row


def register_builtin_schemes(db: Session) -> None:
    for scheme_id in builtin_scheme_ids():
        register_scheme(db, load_builtin_scheme(scheme_id))


_PARSED: dict[tuple[int, str, int], Scheme] = {}


def scheme_of(row: SchemeVersion) -> Scheme:
    """The stored version as a Scheme; parsed once per process (a version never changes)."""
    if row.id is None:
        return Scheme.model_validate(row.content)
    key = (row.id, row.content_hash, row.version)
    scheme = _PARSED.get(key)
    if scheme is None:
        scheme = _PARSED[key] = Scheme.model_validate(row.content)
    return scheme


def latest_version(db: Session, scheme_id: str) -> SchemeVersion:
    row = db.scalar(
        select(SchemeVersion)
        .where(SchemeVersion.scheme_id == scheme_id)
        .order_by(SchemeVersion.version.desc())
        .limit(1)
    )
    if row is None:
        raise NotFoundError(
            N_("no scheme '{scheme}' is loaded"),
            fix=N_("load it with 'samspill scheme load FILE' or use withdrawal-open"),
            params={"scheme": scheme_id},
        )
    return row


def scheme_versions(db: Session) -> Sequence[SchemeVersion]:
    return db.scalars(
        select(SchemeVersion).order_by(SchemeVersion.scheme_id, SchemeVersion.version)
    ).all()


def segment_template_for(db: Session, procedure: str) -> SegmentTemplate | None:
    """The segment template named like the procedure, from any stored scheme (newest first)."""
    for row in sorted(scheme_versions(db), key=lambda r: -r.version):
        template = scheme_of(row).segment_template(procedure)
        if template is not None:
            return template
    return None


def study_schemes(db: Session, study_id: int) -> list[Scheme]:
    """The scheme versions the study's codings use (for their codes' names on result pages)."""
    rows = db.scalars(
        select(SchemeVersion)
        .where(SchemeVersion.id.in_(
            select(Coding.scheme_version_id)
            .join(ObservationSession, ObservationSession.id == Coding.session_id)
            .where(ObservationSession.study_id == study_id)))
        .order_by(SchemeVersion.id)
    ).all()
    return [scheme_of(row) for row in rows]
