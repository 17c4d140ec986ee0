"""The plain interchange model every converter reads into and writes from.

A :class:`Project` is what a BORIS project holds, in Samspill's terms: a scheme, the independent
variables, and observations, each with its media files, variable values, events and segments.
Times are integer milliseconds; the converters do the unit changes at the file's edge.
The database and the web app map these to stored studies and sessions; this package never
touches them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from samspill.core.events import Event, Segment
from samspill.core.problems import Problem
from samspill.core.scheme import Scheme
from samspill.interop.safety import MAX_MS

SignedMillis = int
NO_FOCAL_SUBJECT = "no-focal-subject"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MediaFile(_Model):
    """One media file of an observation, played by ``player`` (1 = the main one)."""

    path: str
    player: int = Field(default=1, ge=1, le=8)
    offset_ms: SignedMillis = Field(default=0, ge=-MAX_MS, le=MAX_MS)
    duration_ms: int | None = Field(default=None, ge=0, le=MAX_MS)
    fps: float | None = Field(default=None, ge=0, le=10_000)
    has_video: bool | None = None
    has_audio: bool | None = None


class IndependentVariable(_Model):
    """A per-observation variable such as the procedure or the child's age group."""

    label: str = Field(min_length=1)
    description: str = ""
    type: Literal["numeric", "text", "set", "timestamp"] = "text"
    default: str = ""
    options: list[str] = []


class Observation(_Model):
    """One coded session: media, variable values, events and segments."""

    name: str = Field(min_length=1)
    date: str = ""
    description: str = ""
    kind: Literal["media", "live"] = "media"
    time_offset_ms: SignedMillis = Field(default=0, ge=-MAX_MS, le=MAX_MS)
    media: list[MediaFile] = []
    variables: dict[str, str] = {}
    events: list[Event] = []
    segments: list[Segment] = []
    # The session's own length and the coding's ratings: Samspill's exports carry them (BORIS
    # in its ``samspill`` key, ELAN as header properties), so a round trip scores the same.
    duration_ms: int | None = Field(default=None, ge=1, le=MAX_MS)
    ratings: dict[str, str] = {}

    def media_duration_ms(self) -> int | None:
        """Length of the main player's media (played in sequence), if every length is known."""
        main = [m for m in self.media if m.player == 1]
        if not main or any(m.duration_ms is None for m in main):
            return None
        return sum(m.duration_ms or 0 for m in main)


class Project(_Model):
    """A scheme with its observations: the unit BORIS calls a project."""

    name: str = ""
    description: str = ""
    date: str = ""
    scheme: Scheme
    variables: list[IndependentVariable] = []
    observations: list[Observation] = []


class Imported(BaseModel):
    """An import's result: the project, and what was adjusted on the way (never silently)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    project: Project
    warnings: list[Problem] = []
