"""The assist's API shapes: a pass as the session page follows it, its error said in the
reader's language (kept as a template with its values)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from samspill.core.errors import SamspillError
from samspill.services import assist
from samspill.store.models import AssistRun
from samspill.web.refusals import said


class AssistIn(BaseModel):
    detectors: list[str] = Field(default_factory=lambda: list(assist.DETECTORS), max_length=8)


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
