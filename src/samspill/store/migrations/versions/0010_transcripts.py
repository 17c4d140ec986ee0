"""coded transcripts: one per coding, with its saved versions (issue 12)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:30:00

``transcripts`` holds a coding's transcript as its writer typed it, with a version that rises
at every save (a stale save is refused); ``transcript_revisions`` keeps its history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("coding_id", sa.Integer(),
                  sa.ForeignKey("codings.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("updated_by_id", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    op.create_table(
        "transcript_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("transcript_id", sa.Integer(),
                  sa.ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_at", STAMP, nullable=False),
        sa.Column("saved_by_id", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("transcript_id", "version"),
    )
    op.create_index("ix_transcript_revisions_transcript_id", "transcript_revisions",
                    ["transcript_id"])


def downgrade() -> None:
    op.drop_index("ix_transcript_revisions_transcript_id", "transcript_revisions")
    op.drop_table("transcript_revisions")
    op.drop_table("transcripts")
