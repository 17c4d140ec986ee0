"""a session keeps what its imported file said about it (issue 22)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:00:00

``sessions.source_metadata``: the observation's description, date and time of day,
independent variables, and media paths with their per-camera offsets, as a BORIS project or
an ELAN file gave them. Empty (NULL) for sessions made in Samspill and for older imports.
The lead renumbers this revision on merge if another one took 0006.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_metadata", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("source_metadata")
