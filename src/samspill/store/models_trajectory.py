"""A session's place in a family's course (issue 23): intake, during guidance, or follow-up.

Kept in its own table, one row per session that has a phase; a session without a row has no
phase set. The row goes with its session (ON DELETE CASCADE), and so with its dyad.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from samspill.store.models import Base, Stamp, utcnow


class SessionPhase(Base):
    """The phase of one observation session in its dyad's course."""

    __tablename__ = "session_phases"
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    phase: Mapped[str] = mapped_column(String(16))  # intake | guidance | follow-up
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, onupdate=utcnow)
