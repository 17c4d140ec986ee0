"""the assist: durable passes, suggestions, coders' decisions, and events' provenance (issue 11)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:20:00

``assist_runs`` survive a restart; ``suggestions`` belong to a session, ``suggestion_decisions``
to a coding; ``events.provenance`` is ``assist:<detector>@<version>`` for an accepted suggestion
and NULL for an event coded by hand (every event before this revision).
The lead renumbers this revision on merge if another one took 0008.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provenance", sa.String(120), nullable=True))
    op.create_table(
        "assist_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(),
                  sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("media_id", sa.Integer(),
                  sa.ForeignKey("media_files.id", ondelete="CASCADE"), nullable=True),
        sa.Column("requested_by_id", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("detectors", sa.JSON(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("finished_at", STAMP, nullable=True),
    )
    op.create_index("ix_assist_runs_session_id", "assist_runs", ["session_id"])
    op.create_table(
        "suggestions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.Integer(),
                  sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("run_id", sa.Integer(),
                  sa.ForeignKey("assist_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("detector", sa.String(32), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("onset_ms", sa.BigInteger(), nullable=False),
        sa.Column("offset_ms", sa.BigInteger(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_suggestions_run_id", "suggestions", ["run_id"])
    op.create_index("ix_suggestions_session_onset", "suggestions", ["session_id", "onset_ms"])
    op.create_table(
        "suggestion_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("coding_id", sa.Integer(),
                  sa.ForeignKey("codings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("suggestion_id", sa.String(36),
                  sa.ForeignKey("suggestions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("decided_at", STAMP, nullable=False),
        sa.UniqueConstraint("coding_id", "suggestion_id"),
    )
    op.create_index("ix_suggestion_decisions_coding_id", "suggestion_decisions", ["coding_id"])


def downgrade() -> None:
    op.drop_table("suggestion_decisions")
    op.drop_table("suggestions")
    op.drop_table("assist_runs")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("provenance")
