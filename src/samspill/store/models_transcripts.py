"""Tables of coded transcripts (issue 12): one transcript per coding, and its saved versions.

A transcript belongs to a coding, as its events do: the master coder's transcript of a training
tape is the master coding's, a trainee's own is their coding's, and who may read or change it
follows the coding (blind coding, a trainee's tape, the lock on a submitted coding).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from samspill.store.models import Base, Stamp, utcnow


class Transcript(Base):
    """The text as its writer typed it; ``version`` rises at every save, and a save based on
    an older version is refused (409 with both), so two windows never overwrite each other."""

    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    coding_id: Mapped[int] = mapped_column(
        ForeignKey("codings.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TranscriptRevision(Base):
    """The transcript's history: its text after a save. Saves by one writer within a few
    minutes of each other update their last revision, so typing does not make one per word."""

    __tablename__ = "transcript_revisions"
    __table_args__ = (UniqueConstraint("transcript_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
