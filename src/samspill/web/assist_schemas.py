"""The assist's API shapes: a pass as the session page follows it, its error said in the
reader's language (kept as a template with its values)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from samspill.core.errors import SamspillError
from samspill.store.models import AssistRun
from samspill.web.i18n import marked as _  # for the extractor
from samspill.web.refusals import said

# The strings of the coding screen's suggestions (static/suggestions.js).
ASSIST_STRINGS = (
    _("A silence is a moment to look at: code what the caregiver did, or did not do"),
    _("Accept as which code?"),
    _("Accepted {code} at {time}"),
    _("Choose the code, then Enter (Escape: back)"),
    _("End at {time}"),
    _("No more suggestions that way"),
    _("Rejected a suggestion at {time}"),
    _("Reopened a suggestion at {time}"),
    _("Silence after a bid"),
    _("Speech (anyone)"),
    _("Start at {time}"),
    _("Suggestions"),
    _("Suggestions (not codes)"),
    _("The assist's suggestions are never codes: accept each one you agree with (A), "
      "reject the rest (X)."),
    _("You can read this coding but not change it"),
    _("accepted"),
    _("open"),
    _("rejected"),
    _("to look at"),
    _("{code} needs its modifiers: press its key at this moment instead"),
)


class AssistIn(BaseModel):
    detectors: list[str] | None = Field(
        default=None, max_length=8,
        description="Detectors to run: speech, cry, pose. Absent: the study's (its "
        "assist.detectors setting).")


class AssistRunOut(BaseModel):
    id: int
    state: str
    progress: float
    detectors: list[str]
    found: int
    error: dict[str, str] | None = None


def run_out(run: AssistRun) -> AssistRunOut:
    error = None
    if run.error:  # kept as a template with its values: said in the reader's language
        stored = SamspillError(str(run.error.get("template") or run.error.get("message", "")),
                               fix=str(run.error.get("fix_template") or run.error.get("fix", "")),
                               params=run.error.get("params") or {})
        answer = said(stored)
        error = {"message": str(answer["message"]), "fix": str(answer["fix"])}
    return AssistRunOut(id=run.id, state=run.state, progress=run.progress,
                        detectors=list(run.detectors), found=run.found, error=error)
