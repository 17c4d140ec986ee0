"""course mode: courses, lessons, their clips, teachers and learners, answers (issue 12)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:10:00

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
    )
    op.create_table(
        "course_lessons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_id", sa.Integer(),
                  sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.UniqueConstraint("course_id", "position"),
    )
    op.create_table(
        "course_clips",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lesson_id", sa.Integer(),
                  sa.ForeignKey("course_lessons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(),
                  sa.ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("lesson_id", "position"),
    )
    op.create_index("ix_course_clips_session_id", "course_clips", ["session_id"])
    op.create_table(
        "course_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_id", sa.Integer(),
                  sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.UniqueConstraint("course_id", "user_id"),
    )
    op.create_index("ix_course_members_user_id", "course_members", ["user_id"])
    op.create_table(
        "course_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lesson_id", sa.Integer(),
                  sa.ForeignKey("course_lessons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
    )
    op.create_index("ix_course_answers_lesson_user", "course_answers", ["lesson_id", "user_id"])
    op.create_index("ix_course_answers_user_id", "course_answers", ["user_id"])


def downgrade() -> None:
    op.drop_table("course_answers")
    op.drop_table("course_members")
    op.drop_table("course_clips")
    op.drop_table("course_lessons")
    op.drop_table("courses")
