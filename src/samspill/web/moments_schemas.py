"""The moments page's API shapes and the strings its script shows (issue 23)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from samspill.core.moments import REASON_WORDS
from samspill.core.reel import MAX_CAPTION, ClipSpec, plan
from samspill.services.moments import MAX_NOTE, Proposal
from samspill.store.models_moments import GuidanceNote, Moment, ReelRender
from samspill.web.i18n import marked as _  # for the extractor
from samspill.web.refusals import said

# The strings of static/moments.js, in the page's language.
MOMENT_STRINGS = (
    _("Accepted"), _("Rejected"), _("Open"), _("Good moment"), _("Missed moment"),
    _("clarity"), _("No proposals: the coding shows none of the moments Samspill looks for."),
    _("No moment chosen yet: accept a proposal (A)."),
    _("Moment {n} of {count}"), _("The reel has ended."), _("Playing the reel"),
    _("Freeze"), _("Slow motion"), _("Saved"), _("Could not save: {message}"),
    _("Start {start}, end {end}"), _("Export under way: {percent}"), _("Download the MP4"),
    _("The export failed: {message}"),
    _("a bid answered promptly and fully"), _("an initiative when the child needed it"),
    _("comfort that the child took"), _("a reunion with contact"),
    _("an unanswered bid"), _("a redirect away from self"),
    _("a put-down despite protest"),
)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(max_length=120)
    status: str = Field(pattern="^(accepted|rejected)$")


class MomentIn(BaseModel):
    """A change to an accepted moment; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")
    start_ms: int | None = Field(default=None, ge=0)
    end_ms: int | None = Field(default=None, ge=0)
    caption: str | None = Field(default=None, max_length=MAX_CAPTION)
    freeze: bool | None = None
    slow: bool | None = None
    position: int | None = Field(default=None, ge=1)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parent_did: str = Field(default="", max_length=MAX_NOTE)
    child_showed: str = Field(default="", max_length=MAX_NOTE)
    to_try: str = Field(default="", max_length=MAX_NOTE)


class RenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: str = Field(pattern="^(en|nb)$")


def proposal_out(p: Proposal) -> dict[str, Any]:
    return {**p.__dict__, "reasons": list(p.reasons), "evidence": list(p.evidence)}


def moment_out(m: Moment, note: GuidanceNote | None) -> dict[str, Any]:
    return {"id": m.id, "key": m.proposal_key, "kind": m.kind, "reasons": list(m.reasons),
            "evidence": list(m.evidence), "clarity": m.clarity, "key_ms": m.key_ms,
            "start_ms": m.start_ms, "end_ms": m.end_ms, "position": m.position,
            "caption": m.caption, "freeze": m.freeze, "slow": m.slow,
            "note": {"parent_did": note.parent_did if note else "",
                     "child_showed": note.child_showed if note else "",
                     "to_try": note.to_try if note else ""}}


def reel_out(clips: list[ClipSpec]) -> list[dict[str, Any]]:
    """The plan the browser plays: per clip its times, texts and where it starts in the reel."""
    return [{**p.clip.__dict__, "reel_start_ms": p.reel_start_ms, "length_ms": p.length_ms}
            for p in plan(clips)]


def render_out(r: ReelRender) -> dict[str, Any]:
    error = r.error
    return {"id": r.id, "state": r.state, "progress": r.progress, "language": r.language,
            "duration_ms": r.duration_ms, "size_bytes": r.size_bytes,
            "error": error.get("message") if error else None}


__all__ = ["REASON_WORDS", "DecisionIn", "MomentIn", "NoteIn", "RenderIn", "said"]
