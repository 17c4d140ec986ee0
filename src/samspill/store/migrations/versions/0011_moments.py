"""moments to show, guidance notes and reel renders (issue 23)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:20:00

``moments`` are a person's decisions on proposed moments (accepted, trimmed, captioned, or
rejected); ``guidance_notes`` one note per moment; ``reel_renders`` the MP4 exports of a
session's reel. All go with their session (and so with a deleted dyad).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def _user(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"),
                     nullable=True)


def upgrade() -> None:
    op.create_table(
        "moments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(),
                  sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("coding_id", sa.Integer(),
                  sa.ForeignKey("codings.id", ondelete="SET NULL"), nullable=True),
        sa.Column("proposal_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("clarity", sa.Float(), nullable=False),
        sa.Column("key_ms", sa.BigInteger(), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("freeze", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("slow", sa.Boolean(), server_default=sa.false(), nullable=False),
        _user("decided_by_id"),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.UniqueConstraint("session_id", "proposal_key"),
    )
    op.create_index("ix_moments_session_id", "moments", ["session_id"])
    op.create_table(
        "guidance_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("moment_id", sa.Integer(),
                  sa.ForeignKey("moments.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("parent_did", sa.Text(), nullable=False),
        sa.Column("child_showed", sa.Text(), nullable=False),
        sa.Column("to_try", sa.Text(), nullable=False),
        _user("written_by_id"),
        sa.Column("updated_at", STAMP, nullable=False),
    )
    op.create_table(
        "reel_renders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(),
                  sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        _user("requested_by_id"),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("clips", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(120), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("finished_at", STAMP, nullable=True),
    )
    op.create_index("ix_reel_renders_session_id", "reel_renders", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_reel_renders_session_id", table_name="reel_renders")
    op.drop_table("reel_renders")
    op.drop_table("guidance_notes")
    op.drop_index("ix_moments_session_id", table_name="moments")
    op.drop_table("moments")
