"""API shapes, apart from the tables: nothing stored-only (hashes, tokens) ever leaves."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from samspill.core.events import Event, Segment
from samspill.services.actions import Action, ActionResult, ActionsIn

__all__ = ["Action", "ActionResult", "ActionsIn"]


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    username: str
    is_admin: bool


class StudyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=64)
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)


class StudyOut(BaseModel):
    name: str
    title: str
    description: str
    role: str | None = None
    settings: dict[str, Any] = {}


class MemberIn(BaseModel):
    username: str
    role: Literal["owner", "coder", "trainee", "viewer"]


class MemberOut(BaseModel):
    username: str
    role: str


class TokenOut(BaseModel):
    """An API token as listed: never the token itself, which is shown once when made."""

    id: int
    username: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None


class PasswordIn(BaseModel):
    current_password: str = Field(default="", max_length=1024)
    new_password: str = Field(max_length=1024)


class AccountOut(BaseModel):
    username: str
    is_admin: bool
    disabled: bool
    has_password: bool


class LinkOut(BaseModel):
    """A one-time login link, shown once."""

    username: str
    link: str


class DyadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=64)
    child_birth_month: str | None = Field(default=None, description="YYYY-MM")


class DyadOut(BaseModel):
    code: str
    child_birth_month: str | None


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    dyad: str = Field(max_length=64)
    date: dt.date | None = None
    procedure: str = Field(default="free-play", max_length=32)
    duration_ms: int | None = Field(default=None, gt=0)
    notes: str = Field(default="", max_length=5000)


class MediaOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size_bytes: int
    duration_ms: int | None
    fps: float | None
    offset_ms: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        """Where the player fetches the video (range requests allowed)."""
        return f"/api/media/{self.id}"


class SessionOut(BaseModel):
    name: str
    dyad: str
    date: dt.date | None
    age_months: int | None
    procedure: str
    duration_ms: int | None
    notes: str
    segments: list[Segment] = []
    media: list[MediaOut] = []


class CodingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scheme_id: str = "withdrawal-open"
    purpose: Literal["study", "training", "reliability"] = "study"


class CodingOut(BaseModel):
    id: int
    session: str
    study: str
    coder: str
    scheme_id: str
    scheme_version: int
    scheme_hash: str
    status: str
    purpose: str


class EventsOut(BaseModel):
    coding_id: int
    events: list[Event]


class RatingsIn(BaseModel):
    ratings: dict[str, str | int | None]


class StatusIn(BaseModel):
    status: Literal["in_progress", "submitted", "master"]
