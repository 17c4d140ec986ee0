"""segment_ratings: the ratings of a per-segment rating form (issue 14)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:10:00

One row per coding, segment and rating item; deleting the coding or the segment deletes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segment_ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("coding_id", sa.Integer(),
                  sa.ForeignKey("codings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("segment_id", sa.String(36),
                  sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.UniqueConstraint("coding_id", "segment_id", "item_id"),
    )
    op.create_index("ix_segment_ratings_coding_id", "segment_ratings", ["coding_id"])


def downgrade() -> None:
    op.drop_index("ix_segment_ratings_coding_id", table_name="segment_ratings")
    op.drop_table("segment_ratings")
