"""A course as plain data: ordered lessons, each a clip (or two), a short text and a task.

A course is self-contained for scoring: every clip carries the master coding's events that
overlap it (the answer key is derived from them by the indicators, never typed by hand), the
course names its scheme and indicator settings. Video is *not* inside: a clip refers to its
session by study and session name and to its video by content hash (see ``docs/teaching.md``).

Texts are per language (``{"en": ..., "nb": ...}``); a page shows the reader's language, else
English, else any.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from samspill.core.errors import N_, InputError
from samspill.core.events import Event, Millis

FORMAT = "samspill-course"
FORMAT_VERSION = 1
TaskKind = Literal["mark_unanswered", "which_clip", "which_signs"]
TASK_KINDS: tuple[TaskKind, ...] = ("mark_unanswered", "which_clip", "which_signs")
# How many clips each task shows.
CLIPS_PER_TASK = {"mark_unanswered": 1, "which_clip": 2, "which_signs": 1}
Texts = dict[str, Annotated[str, Field(max_length=4000)]]
MAX_TOLERANCE_MS = 30_000


def text_in(texts: Texts, language: str) -> str:
    """The text in ``language``, else English, else the first one given, else empty."""
    for key in (language, "en"):
        if texts.get(key):
            return texts[key]
    return next((t for t in texts.values() if t), "")


class Clip(BaseModel):
    """A stretch ``[start_ms, end_ms)`` of one session, with its master's events.

    ``study`` and ``session`` name where the video is; ``media_sha256`` which video it was
    (None: the session had none). ``events`` are the master's events that overlap the clip
    and the response window around it, on the session's own timeline."""

    model_config = ConfigDict(extra="forbid")

    study: str = Field(min_length=1, max_length=64)
    session: str = Field(min_length=1, max_length=100)
    start_ms: Millis
    end_ms: Millis
    duration_ms: Millis
    media_sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")
    label: Texts = {}
    events: list[Event] = []

    @model_validator(mode="after")
    def _bounds(self) -> Clip:
        if not self.start_ms < self.end_ms <= self.duration_ms:
            raise ValueError(f"clip {self.study}/{self.session}: start {self.start_ms} ms, end "
                             f"{self.end_ms} ms must satisfy 0 <= start < end <= duration "
                             f"({self.duration_ms} ms)")
        return self

    @property
    def length_ms(self) -> int:
        return self.end_ms - self.start_ms


class Task(BaseModel):
    """What the learner does. ``tolerance_before_ms``/``tolerance_after_ms``: how early or
    late a mark may fall around the child's signal and still count (mark tasks only; a
    learner sees the signal first and then that nobody answers, so late is wider)."""

    model_config = ConfigDict(extra="forbid")

    kind: TaskKind
    tolerance_before_ms: int = Field(default=2000, ge=0, le=MAX_TOLERANCE_MS)
    tolerance_after_ms: int = Field(default=5000, ge=0, le=MAX_TOLERANCE_MS)


class Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Texts
    text: Texts = {}
    feedback: Texts = {}  # said after the answer, whatever it was
    task: Task
    clips: list[Clip] = Field(min_length=1, max_length=2)

    @model_validator(mode="after")
    def _clip_count(self) -> Lesson:
        wanted = CLIPS_PER_TASK[self.task.kind]
        if len(self.clips) != wanted:
            raise ValueError(f"a '{self.task.kind}' lesson shows {wanted} clip(s), "
                             f"this one has {len(self.clips)}")
        return self


class SchemeRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1)
    content_hash: str = Field(pattern="^[0-9a-f]{64}$")


class CourseHead(BaseModel):
    """A course without its lessons: what the course list and every page header read."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["samspill-course"] = "samspill-course"
    format_version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: Texts
    description: Texts = {}
    scheme: SchemeRef
    indicator_settings: dict[str, Any] = {}


class Course(CourseHead):
    """The whole course, as stored and as exported."""

    lessons: list[Lesson] = Field(min_length=1, max_length=100)


def parse_course(data: object, *, where: str = "course file") -> Course:
    """A course from a loaded JSON or YAML document; every problem named with its place."""
    try:
        return Course.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(p) for p in first["loc"]) or "top"
        raise InputError(
            N_("the course file is not valid at {place}: {problem}"),
            fix=N_("correct it (see docs/teaching.md for the format) or export the course again"),
            where=where, params={"place": place, "problem": first["msg"][:200]},
        ) from None
