"""API shapes, apart from the tables: nothing stored-only (hashes, tokens) ever leaves."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, computed_field, create_model

from samspill.core.events import Event, Segment
from samspill.services.actions import Action, ActionResult, ActionsIn
from samspill.services.dyad_rights import Deletion

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


# --- Agreement and training (routes/agreement.py)


class AssignIn(BaseModel):
    coders: list[str] = Field(min_length=1, max_length=20)


class ReconcileIn(BaseModel):
    tolerance_ms: int | None = Field(None, ge=0, le=60_000)


class ConsensusIn(BaseModel):
    events: dict[str, str] = Field(default_factory=dict)
    ratings: dict[str, str] = Field(default_factory=dict)
    master: bool = True


class MasterIn(BaseModel):
    purpose: Literal["training", "reliability"]


# --- The audit log (routes/audit.py)


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    username: str
    action: str
    target: str
    study: str | None
    client: str
    detail: str


class AuditQuery(BaseModel):
    """Filters: user name, an action prefix ("login", "read", "export"...), a time range."""

    user: str | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 500


# --- A dyad's data rights (routes/dyads.py)


def _public_fields(cls: type, *, stored_only: set[str]) -> dict[str, Any]:
    """A service dataclass's fields as pydantic field definitions, in their order, without
    the stored-only ones: the API shape follows the service's counts instead of repeating
    them."""
    hints = get_type_hints(cls)
    return {f.name: (hints[f.name], ...) for f in dataclasses.fields(cls)
            if f.name not in stored_only}


# What deleting a dyad removed: the service's counts (``dyad_rights.Deletion``) without the
# media files' hashes, and how many media files left the disk after the commit.
DeletionOut: type[BaseModel] = create_model(
    "DeletionOut",
    **_public_fields(Deletion, stored_only={"orphaned_sha256"}),
    files_removed=(int, ...),
)
