"""The native study file: one versioned zip with ``study.json`` and the media by hash.

The JSON is described by these models, so an archive is validated whole before anything is
written, and a newer format is refused with a clear message instead of half-read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from samspill.core.events import Event, Segment

FORMAT: Final = "samspill-study"
# 2: sessions carry what their imported file said (source_metadata). A version-1 archive reads
# as before; an older Samspill refuses a version-2 archive as newer, rather than half-reading it.
# 3: codings carry their per-segment ratings, sessions their phase and their moments (with
# each moment's guidance note). Reel renders are not carried: they are made again from moments.
FORMAT_VERSION = 3
CodingStatus = Literal["in_progress", "submitted", "master"]
CodingPurpose = Literal["study", "training", "reliability"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArchivedMember(_Model):
    username: str
    role: Literal["owner", "coder", "trainee", "viewer"]


class ArchivedScheme(_Model):
    scheme_id: str
    version: int
    content_hash: str
    content: dict[str, Any]


class ArchivedMedia(_Model):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    filename: str
    content_type: str
    size_bytes: int = Field(ge=0)
    duration_ms: int | None = None
    fps: float | None = None
    offset_ms: int = 0


class ArchivedCoding(_Model):
    coder: str
    scheme_id: str
    scheme_version: int
    status: CodingStatus
    purpose: CodingPurpose = "study"
    events: list[Event] = []
    ratings: dict[str, str] = {}
    # Issue 12: the coding's transcript as its writer typed it ("" when it has none).
    transcript: str = Field(default="", max_length=500_000)
    # Issue 14: per-segment ratings, segment id (as archived) → item → value.
    segment_ratings: dict[str, dict[str, str]] = {}


class ArchivedNote(_Model):
    """A moment's guidance note (issue 23)."""

    parent_did: str = Field(default="", max_length=1000)
    child_showed: str = Field(default="", max_length=1000)
    to_try: str = Field(default="", max_length=1000)
    written_by: str | None = None


class ArchivedMoment(_Model):
    """A decided proposal (issue 23); ``coding`` is its coding's place in the session's list."""

    coding: int | None = Field(default=None, ge=0)
    proposal_key: str = Field(max_length=120)
    kind: Literal["good", "missed"]
    status: Literal["accepted", "rejected"]
    reasons: list[str] = []
    evidence: list[str] = []
    clarity: float = 0.0
    key_ms: int
    start_ms: int = Field(ge=0)
    end_ms: int = Field(ge=0)
    position: int = 0
    caption: str = ""
    freeze: bool = False
    slow: bool = False
    decided_by: str | None = None
    note: ArchivedNote | None = None


class ArchivedSession(_Model):
    name: str
    dyad: str
    date: dt.date | None = None
    procedure: str
    duration_ms: int | None = None
    notes: str = ""
    ground_truth: dict[str, Any] | None = None
    source_metadata: dict[str, Any] | None = None  # what an imported file said (BORIS, ELAN)
    segments: list[Segment] = []
    media: list[ArchivedMedia] = []
    codings: list[ArchivedCoding] = []
    phase: Literal["intake", "guidance", "follow-up"] | None = None  # issue 23
    moments: list[ArchivedMoment] = []


class ArchivedDyad(_Model):
    code: str
    child_birth_month: str | None = None


class StudyArchive(_Model):
    format: Literal["samspill-study"] = FORMAT
    format_version: int = FORMAT_VERSION
    name: str
    title: str = ""
    description: str = ""
    settings: dict[str, Any] = {}
    members: list[ArchivedMember] = []
    schemes: list[ArchivedScheme] = []
    dyads: list[ArchivedDyad] = []
    sessions: list[ArchivedSession] = []
