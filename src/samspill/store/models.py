"""Tables. API schemas live elsewhere (``web/schemas.py``): a table never leaves the server whole.

Times of events are integer milliseconds on the session's timeline; wall-clock stamps are UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


Stamp = DateTime(timezone=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    # Issue 21: a disabled user cannot log in; their logins and tokens end when disabled.
    disabled_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
    # Issue 22: creating a study is a right administrators hold and grant (migration 0006).
    can_create_studies: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class LoginAttempt(Base):
    """Login attempts per user name and per client address (issue 21), counted in one SQL
    statement so that parallel requests cannot beat the lockout.

    ``key`` is a SHA-256 of ``name:<user name>`` or ``address:<address>``: the table holds no
    typed names (a password typed into the name field must not be kept). Known and unknown names
    are counted alike, so the answers do not tell them apart.
    """

    __tablename__ = "login_attempts"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_ms: Mapped[int] = mapped_column(BigInteger, default=0)  # epoch milliseconds, UTC


class ApiToken(Base):
    """A personal token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(16), default="api")  # api | login-link
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
    used_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
    user: Mapped[User] = relationship()


class AuthSession(Base):
    """A browser login; the cookie holds the random id, the table only its hash."""

    __tablename__ = "auth_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Stamp)
    user: Mapped[User] = relationship()


class Study(Base):
    __tablename__ = "studies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("study_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # owner | coder | trainee | viewer
    user: Mapped[User] = relationship()


class Dyad(Base):
    """A caregiver–child pair under a pseudonymous code; no names here."""

    __tablename__ = "dyads"
    __table_args__ = (UniqueConstraint("study_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    child_birth_month: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class ObservationSession(Base):
    """One filmed observation of a dyad (a Strange Situation, a free play)."""

    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("study_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    dyad_id: Mapped[int] = mapped_column(ForeignKey("dyads.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    date: Mapped[dt.date | None] = mapped_column()
    procedure: Mapped[str] = mapped_column(String(32), default="free-play")
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    notes: Mapped[str] = mapped_column(Text, default="")
    ground_truth: Mapped[dict[str, Any] | None] = mapped_column()
    # What the imported file said about the observation (BORIS, ELAN: description, date and
    # time, independent variables, media paths and offsets), kept as read; never exported.
    source_metadata: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    dyad: Mapped[Dyad] = relationship()
    study: Mapped[Study] = relationship()


class MediaFile(Base):
    """A video stored by content hash; ``offset_ms``: where media time 0 falls in the session."""

    __tablename__ = "media_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    fps: Mapped[float | None] = mapped_column()
    offset_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class SegmentRow(Base):
    __tablename__ = "segments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    spec_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default="plain")
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")


class SchemeVersion(Base):
    """An immutable version of a coding scheme; codings point here, never to a mutable scheme."""

    __tablename__ = "scheme_versions"
    __table_args__ = (
        UniqueConstraint("scheme_id", "version"),
        UniqueConstraint("scheme_id", "content_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Loaded only when a version is parsed the first time (services.schemes caches the parse).
    content: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    licensed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class Coding(Base):
    """One coder's coding of one session under one scheme version."""

    __tablename__ = "codings"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    coder_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    scheme_version_id: Mapped[int] = mapped_column(ForeignKey("scheme_versions.id"))
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    purpose: Mapped[str] = mapped_column(String(16), default="study")  # study|training|reliability
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
    session: Mapped[ObservationSession] = relationship()
    coder: Mapped[User] = relationship()
    scheme_version: Mapped[SchemeVersion] = relationship()


class EventRow(Base):
    """A coded event; its id is the client's UUID, so a retried insert is a no-op."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_coding_onset", "coding_id", "onset_ms"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    coding_id: Mapped[int] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    onset_ms: Mapped[int] = mapped_column(BigInteger)
    offset_ms: Mapped[int | None] = mapped_column(BigInteger)
    modifiers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    frame: Mapped[int | None] = mapped_column(BigInteger)
    # Raised by one at every edit: an edit or delete based on an older version is refused
    # (409 with both versions), so two windows never overwrite each other unseen.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, onupdate=utcnow)
    # Where the event came from when a person did not key it: ``assist:<detector>@<version>``
    # for an accepted suggestion; NULL for an event coded by hand.
    provenance: Mapped[str | None] = mapped_column(String(120))


class DeletedEvent(Base):
    """A deleted event's id and last version: an edit sent after the delete is refused
    ('deleted') instead of bringing the event back; an add (an undo) brings it back."""

    __tablename__ = "deleted_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    coding_id: Mapped[int] = mapped_column(
        ForeignKey("codings.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("coding_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    coding_id: Mapped[int] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))


class AppliedAction(Base):
    """Client action ids already applied: the server's memory for idempotent retries."""

    __tablename__ = "applied_actions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    coding_id: Mapped[int] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    applied_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


# --- Audit trail and identifying data (issue 7: security and resilience) -----------------------


class AuditEntry(Base):
    """One append-only row per event of interest: who, what, when, from where.

    No foreign keys: a row outlives the user, study or dyad it names. The database refuses
    UPDATE and DELETE on this table (triggers in migration 0002), so the app cannot change it.
    Never holds request bodies or identifying content, only names of things and counts.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_study_at", "study", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    study: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(String(300), default="")


class DyadIdentity(Base):
    """Identifying data of a dyad, kept apart from the pseudonymous dyad; owners only."""

    __tablename__ = "dyad_identities"
    dyad_id: Mapped[int] = mapped_column(
        ForeignKey("dyads.id", ondelete="CASCADE"), primary_key=True
    )
    child_name: Mapped[str] = mapped_column(String(200), default="")
    caregiver_name: Mapped[str] = mapped_column(String(200), default="")
    child_birth_date: Mapped[dt.date | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, onupdate=utcnow)


# --- Agreement and training (issue 5): blind double coding, consensus -------------------------


class Assignment(Base):
    """An owner's assignment of a session to one coder, for blind double coding."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("session_id", "coder_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    coder_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    coder: Mapped[User] = relationship()


class Reconciliation(Base):
    """The owner opened reconciliation of a session: the assigned coders' blind ends here.

    ``coding_id`` is the reconciled (consensus) coding once it is made.
    """

    __tablename__ = "reconciliations"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), unique=True
    )
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    tolerance_ms: Mapped[int] = mapped_column(Integer, default=2000)
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("codings.id", ondelete="SET NULL"))


class ConsensusSource(Base):
    """Provenance of a reconciled coding: which coder's version each decision came from.

    ``item_kind`` is ``event`` (``item_id``: the reconciled event's id, ``source_item``: the
    source event's id) or ``rating`` (``item_id`` and ``source_item``: the rating item).
    """

    __tablename__ = "consensus_sources"
    __table_args__ = (UniqueConstraint("coding_id", "item_kind", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    coding_id: Mapped[int] = mapped_column(
        ForeignKey("codings.id", ondelete="CASCADE"), index=True
    )
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str] = mapped_column(String(64))
    source_coding_id: Mapped[int | None] = mapped_column(
        ForeignKey("codings.id", ondelete="SET NULL")
    )
    source_item: Mapped[str] = mapped_column(String(64))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class AssistRun(Base):
    """One assist pass over one session's media: queued, running, done, failed or cancelled.

    Kept in the database so that a pass survives a server restart (a running pass is started
    again from the beginning) and can be cancelled; its suggestions are written in one
    transaction at its end, so a failed or cancelled pass leaves none behind."""

    __tablename__ = "assist_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(default=0.0)
    detectors: Mapped[list[Any]] = mapped_column(default=list)
    found: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Stamp)


class Suggestion(Base):
    """A proposed event from an assist pass: never a code until a person accepts it."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_session_onset", "session_id", "onset_ms"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    run_id: Mapped[int] = mapped_column(ForeignKey("assist_runs.id", ondelete="CASCADE"),
                                        index=True)
    detector: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    onset_ms: Mapped[int] = mapped_column(BigInteger)
    offset_ms: Mapped[int | None] = mapped_column(BigInteger)
    confidence: Mapped[float] = mapped_column(default=0.0)
    modifiers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")


class SuggestionDecision(Base):
    """A coder's answer to a suggestion in their coding: accepted (with the event it became)
    or rejected. Each coding decides for itself; one coder's answers never show to another."""

    __tablename__ = "suggestion_decisions"
    __table_args__ = (UniqueConstraint("coding_id", "suggestion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    coding_id: Mapped[int] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"),
                                           index=True)
    suggestion_id: Mapped[str] = mapped_column(
        ForeignKey("suggestions.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    event_id: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


# Tables kept in their own modules, imported here so that Base.metadata holds them all.
from samspill.store import (  # noqa: E402, F401
    models_courses,
    models_moments,
    models_ratings,
    models_trajectory,
    models_transcripts,
)
