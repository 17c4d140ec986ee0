"""Tables of issue 23's guidance work: the moments chosen in a session, a guidance note per
moment, and the reel's render jobs (an exported MP4 each). All hang on the session, so they
go with it when its dyad is deleted; a render's file is removed after that commit
(``services.dyad_rights``).

A session's *reel* is its accepted moments in ``position`` order: it needs no table of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from samspill.store.models import Base, Stamp, utcnow


class Moment(Base):
    """A proposal a person decided on: accepted (with its trimmed times, caption and place in
    the reel) or rejected (so that it is not proposed again). ``proposal_key`` names the
    proposal (its kind and key event); ``evidence`` lists the event ids behind it."""

    __tablename__ = "moments"
    __table_args__ = (UniqueConstraint("session_id", "proposal_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    coding_id: Mapped[int | None] = mapped_column(
        ForeignKey("codings.id", ondelete="SET NULL"))
    proposal_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # good | missed
    status: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    clarity: Mapped[float] = mapped_column(default=0.0)
    key_ms: Mapped[int] = mapped_column(BigInteger)
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)
    caption: Mapped[str] = mapped_column(Text, default="")
    freeze: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    slow: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class GuidanceNote(Base):
    """The clinician's short structured note on one moment."""

    __tablename__ = "guidance_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    moment_id: Mapped[int] = mapped_column(
        ForeignKey("moments.id", ondelete="CASCADE"), unique=True)
    parent_did: Mapped[str] = mapped_column(Text, default="")
    child_showed: Mapped[str] = mapped_column(Text, default="")
    to_try: Mapped[str] = mapped_column(Text, default="")
    written_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class ReelRender(Base):
    """One export of a session's reel as an MP4: queued, running, done or failed. Kept in
    the database so that a restarted server knows of it; ``file_name`` lies in the reels
    folder (``<data_dir>/reels``)."""

    __tablename__ = "reel_renders"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(default=0.0)
    clips: Mapped[list[Any]] = mapped_column(default=list)  # what was rendered, in order
    file_name: Mapped[str | None] = mapped_column(String(120))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
