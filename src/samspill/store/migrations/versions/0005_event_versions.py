"""event versions and deleted events' ids (issue 20)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00

An event's version rises at every edit, so a stale edit is refused; a deleted event's id is
kept with its last version, so an edit sent after the delete does not bring it back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "deleted_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("coding_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["coding_id"], ["codings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deleted_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deleted_events_coding_id"), ["coding_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deleted_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deleted_events_coding_id"))
    op.drop_table("deleted_events")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("version")
