"""assignments, reconciliations and consensus provenance (issue 5)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:46:33.347991

Blind double coding: the owner assigns a session to coders (assignments) and later opens
reconciliation (reconciliations); a reconciled coding records where each decision came from
(consensus_sources).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coder_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "coder_id"),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_coder_id"), ["coder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_session_id"), ["session_id"], unique=False)

    op.create_table(
        "consensus_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coding_id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("source_coding_id", sa.Integer(), nullable=True),
        sa.Column("source_item", sa.String(length=64), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coding_id"], ["codings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["source_coding_id"], ["codings.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("coding_id", "item_kind", "item_id"),
    )
    with op.batch_alter_table("consensus_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consensus_sources_coding_id"), ["coding_id"], unique=False
        )

    op.create_table(
        "reconciliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tolerance_ms", sa.Integer(), nullable=False),
        sa.Column("coding_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["coding_id"], ["codings.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id"),
    )


def downgrade() -> None:
    op.drop_table("reconciliations")
    with op.batch_alter_table("consensus_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consensus_sources_coding_id"))

    op.drop_table("consensus_sources")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_session_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_coder_id"))

    op.drop_table("assignments")
