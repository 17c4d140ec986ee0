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
    can_create_studies: bool = False  # issue 22; administrators hold it


class LinkOut(BaseModel):
    """A one-time login link, shown once."""

    username: str
    link: str


class DyadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=64)
    child_birth_month: str | None = Field(default=None, description="YYYY-MM")


class BirthMonthIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    child_birth_month: str | None = Field(default=None, max_length=32,
                                          description="YYYY-MM, or null to clear it")


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


class OffsetIn(BaseModel):
    """A clip's new offset on the session clock (integer ms; negative: it started earlier)."""

    model_config = ConfigDict(extra="forbid")
    offset_ms: int


class AlignIn(BaseModel):
    """The clip to align on (its clap is taken where it is on the session clock)."""

    model_config = ConfigDict(extra="forbid")
    reference_id: int


class AlignmentOut(BaseModel):
    media_id: int
    reference_id: int
    offset_ms: int
    lag_ms: int
    confidence: float
    doubtful: bool


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


class AssignManyIn(BaseModel):
    """Several sessions assigned at once to the same coders (two or more in all per session)."""

    sessions: list[str] = Field(min_length=1, max_length=500)
    coders: list[str] = Field(min_length=1, max_length=20)


class ReconcileIn(BaseModel):
    tolerance_ms: int | None = Field(None, ge=0, le=60_000)


class ConsensusIn(BaseModel):
    events: dict[str, str] = Field(default_factory=dict)
    ratings: dict[str, str] = Field(default_factory=dict)
    # A form rated per segment: "<segment id>:<item>" → coder (GET .../reconciliation's keys)
    segment_ratings: dict[str, str] = Field(default_factory=dict)
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
# media files' hashes and the reels' file names, and how many media and reel files left the
# disk after the commit.
DeletionOut: type[BaseModel] = create_model(
    "DeletionOut",
    **_public_fields(Deletion, stored_only={"orphaned_sha256", "reel_files"}),
    files_removed=(int, ...),
)


# --- One coding's scores (GET /api/codings/{id}/scores). The JSON is shaped by
# ``services.scores_json.scores_to_json`` (shared with the CLI) and ``web.scores_display``;
# these models describe it, and a test checks that every answer is exactly what they say.
# Numbers keep their JSON type (``int | float``): a count stays 3, a share 0.0.

Number = int | float


class EvidenceOut(BaseModel):
    """One moment a state rests on (a bid, an episode, a hold bout ...), to seek the video."""

    segment_id: str | None
    event_id: str | None
    time_ms: int
    note: str
    value_ms: Number | None
    related_event_id: str | None
    related_time_ms: Number | None  # 27000.0 when the column also holds gaps


class PivotalOut(BaseModel):
    """An event the state turns on: without it the state would be ``state_without``."""

    event_id: str
    time_ms: int
    state_without: str


class StabilityOut(BaseModel):
    """How sure a state is: the share of replicates that keep it (times moved, events left
    out) and the single events it rests on."""

    share: Number | None
    jitter: Number | None
    dropout: Number | None
    pivotal_events: int | None
    stable: bool | None
    pivotal: list[PivotalOut]


class IndicatorOut(BaseModel):
    """One of the five signs (``kind`` "sign") or the hostility qualifier, in one scope."""

    id: str
    kind: Literal["sign", "qualifier"]
    title: str
    scope: str
    segment_id: str | None
    scope_name: str
    state: str
    reasons: list[str]
    flag: bool
    values: dict[str, Number | None]
    counts: dict[str, Number | None]
    stability: StabilityOut | None
    evidence: list[EvidenceOut]


class ScopeOut(BaseModel):
    """A scope (the whole session, the reunions together, one segment) and its summary."""

    scope: str
    segment_id: str | None
    name: str
    role: str | None
    start_ms: int
    end_ms: int
    observed_ms: int
    present_ms: int
    outside_ms: int
    signs_present: int
    signs_absent: int
    signs_not_observable: int
    withdrawn_profile: bool
    hostility_qualifier: str


class AmbianceCountOut(BaseModel):
    scope_row: int
    scope: str
    segment_id: str | None
    item_type: str
    item: str
    dimension: str | None
    count: int
    rate_per_10min: Number | None


class AmbianceOut(BaseModel):
    label: str
    counts: list[AmbianceCountOut]


class TimeButtonOut(BaseModel):
    """A time the scores panel shows as a button that seeks the video."""

    time_ms: int
    time: str
    label: str


class LabelledValueOut(BaseModel):
    key: str
    label: str
    text: str


class StabilityDisplayOut(BaseModel):
    stable: bool
    text: str
    pivotal: list[TimeButtonOut]
    pivotal_more: int


class IndicatorDisplayOut(BaseModel):
    """A sign or the qualifier as people read it, in the request's language."""

    id: str
    kind: Literal["sign", "qualifier"]
    title: str
    state: str
    state_text: str
    mark: str
    reason: str
    values: list[LabelledValueOut]
    counts: list[LabelledValueOut]
    stability: StabilityDisplayOut | None
    evidence: list[TimeButtonOut]
    evidence_more: int


class QualifierDisplayOut(IndicatorDisplayOut):
    sentence: str = Field(description="what the qualifier says of the profile, in one sentence")


class ScopeDisplayOut(BaseModel):
    key: str
    label: str
    outside: str
    summary: str
    signs: list[IndicatorDisplayOut]
    qualifier: QualifierDisplayOut | None


class RatingDisplayOut(BaseModel):
    level: str
    classification: str
    cutoff: str
    profile: str


class ScoresDisplayOut(BaseModel):
    """What the scores panel shows (``web.scores_display.scores_display``)."""

    scopes: list[ScopeDisplayOut]
    default: str
    label: str
    rating: RatingDisplayOut
    disclaimer: str
    provisional: str = Field(
        default="", description="the mark of a provisional score (a state still running)")


class ScoresOut(BaseModel):
    """The five signs of withdrawal and the hostility qualifier, per scope, with their states,
    reasons, values, stability and evidence; AMBIANCE counts, level and classification; the
    coding; and ``display``, the same in words of the request's language."""

    label: str
    disclaimer: str
    settings: dict[str, Any] = Field(description="the indicator settings the scores used")
    reasons: dict[str, str] = Field(description="reason key -> its sentence")
    signs: list[str]
    scopes: list[ScopeOut]
    indicators: list[IndicatorOut]
    ambiance: AmbianceOut
    level: int | str | None
    disrupted: bool | None
    classification: str | None
    cutoff: Number | None
    profile: str | None
    coding: CodingOut
    provisional: bool = Field(
        default=False, description="a state still runs: it was ended at until_ms or the media's "
        "end for this score")
    provisional_until: int | None = Field(
        default=None, description="the until_ms a provisional score was counted up to")
    display: ScoresDisplayOut


class ScoresPanelOut(BaseModel):
    """The coding screen's scores panel (``GET /api/codings/{id}/scores/display``): the part of
    :class:`ScoresOut` it shows."""

    provisional: bool
    provisional_until: int | None
    display: ScoresDisplayOut
