"""Stored rows in the API's shapes (:mod:`samspill.web.schemas`), for the routes that answer
with the same shape: a coding, a session with its segments and media."""

from __future__ import annotations

from sqlalchemy.orm import Session

from samspill.services import studies
from samspill.services.media import media_of
from samspill.store.models import Coding, ObservationSession
from samspill.web.schemas import CodingOut, MediaOut, SessionOut


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


def session_out(db: Session, session: ObservationSession) -> SessionOut:
    return SessionOut(
        name=session.name,
        dyad=session.dyad.code,
        date=session.date,
        age_months=studies.age_in_months(session.dyad.child_birth_month, session.date),
        procedure=session.procedure,
        duration_ms=session.duration_ms,
        notes=session.notes,
        segments=studies.segments_of(db, session),
        media=[MediaOut.model_validate(m, from_attributes=True) for m in media_of(db, session)],
    )
