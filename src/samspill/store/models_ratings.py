"""Ratings of a per-segment rating form (issue 14): one value per coding, segment and item.

A form declared ``per: segment`` (docs/schemes.md) is rated once in each of the session's
segments it names; the rating belongs to the segment row, so deleting the segment deletes its
ratings, and to the coding, like every other rating.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from samspill.store.models import Base


class SegmentRating(Base):
    __tablename__ = "segment_ratings"
    __table_args__ = (UniqueConstraint("coding_id", "segment_id", "item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coding_id: Mapped[int] = mapped_column(
        ForeignKey("codings.id", ondelete="CASCADE"), index=True)
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))
