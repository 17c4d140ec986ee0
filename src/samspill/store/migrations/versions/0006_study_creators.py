"""study creators: creating a study is a right administrators hold and grant

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 21:45:00

Issue 21 (finding 14) and issue 22: every user, trainees included, could create a study, and a
non-member learned that a study name exists from the answer. ``users.can_create_studies`` is the
right; administrators hold it by being administrators. So that nobody loses what they could do,
every user who owns a study now (and every administrator) gets it here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, never a batch copy: on SQLite a copy drops and recreates ``users``,
    # and with foreign keys on that would cascade into tokens, logins and memberships.
    op.add_column(
        "users",
        sa.Column("can_create_studies", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    users = sa.table(
        "users",
        sa.column("id", sa.Integer()),
        sa.column("is_admin", sa.Boolean()),
        sa.column("can_create_studies", sa.Boolean()),
    )
    memberships = sa.table(
        "memberships", sa.column("user_id", sa.Integer()), sa.column("role", sa.String())
    )
    owners = sa.select(memberships.c.user_id).where(memberships.c.role == "owner")
    op.execute(
        users.update()
        .where(sa.or_(users.c.id.in_(owners), users.c.is_admin.is_(True)))
        .values(can_create_studies=True)
    )


def downgrade() -> None:
    op.drop_column("users", "can_create_studies")
