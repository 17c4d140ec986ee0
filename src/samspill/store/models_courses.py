"""Course mode's tables (issue 12): courses, their lessons and clips, who teaches and who
learns, and the learners' answers.

A lesson keeps its clips' master events as they were when the course was made or imported
(``content``): the course's answer key does not move when the study's coding is edited later.
``course_clips.session_id`` is where the clip's video is on this server; None when the course
was imported without access to (or without) the session: the lesson then plays no video.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from samspill.store.models import Base, ObservationSession, Stamp, User, utcnow


class CourseRow(Base):
    """A course; ``content`` is the course document without its lessons (title, description,
    scheme, indicator settings: :class:`samspill.core.course.model.Course`)."""

    __tablename__ = "courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class CourseLesson(Base):
    """One lesson at ``position`` (1, 2, ...); ``content`` is its
    :class:`samspill.core.course.model.Lesson` document."""

    __tablename__ = "course_lessons"
    __table_args__ = (UniqueConstraint("course_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column()


class CourseClip(Base):
    """Where a lesson's clip (``position`` 0 or 1) plays from on this server."""

    __tablename__ = "course_clips"
    __table_args__ = (UniqueConstraint("lesson_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("course_lessons.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True)
    session: Mapped[ObservationSession | None] = relationship()


class CourseMember(Base):
    """A teacher or a learner of a course. A learner needs no role in any study."""

    __tablename__ = "course_members"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # teacher | learner
    user: Mapped[User] = relationship()


class CourseAnswer(Base):
    """One attempt at a lesson: the learner's answer as sent (cleaned), graded when read. The
    latest attempt counts in summaries; earlier ones stay for the learner's own history."""

    __tablename__ = "course_answers"
    __table_args__ = (Index("ix_course_answers_lesson_user", "lesson_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("course_lessons.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
