"""account lifecycle: disabled users, login attempts counted atomically, expiring tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00

Issue 21: users can be disabled (``users.disabled_at``); failed logins move from two columns on
``users`` (read, changed and written back: parallel requests beat it) to ``login_attempts``,
counted per user name and per client address in one statement. API tokens made before this
revision never expired: they now expire 90 days after the upgrade.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TOKEN_GRACE = dt.timedelta(days=90)


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # Plain ALTER TABLE, never a batch copy: on SQLite a copy drops and recreates ``users``,
    # and with foreign keys on that would cascade into tokens, logins and memberships.
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_column("users", "failed_logins")
    op.drop_column("users", "locked_until")
    tokens = sa.table(
        "api_tokens",
        sa.column("kind", sa.String()),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        tokens.update()
        .where(tokens.c.kind == "api", tokens.c.expires_at.is_(None))
        .values(expires_at=dt.datetime.now(dt.UTC) + TOKEN_GRACE)
    )


def downgrade() -> None:
    op.add_column(
        "users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_column("users", "disabled_at")
    op.drop_table("login_attempts")
