"""The assist over HTTP: start, follow and cancel a pass over a session's video, and the
suggestions the coding screen lists (never codes: a coder accepts each one as an action)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import RedirectResponse, Response

from samspill.services import assist, assist_decisions
from samspill.web.assist_schemas import AssistIn, AssistRunOut, run_out
from samspill.web.assist_worker import worker_of
from samspill.web.deps import Access, DbSession, ReadCoding, ReadStudy, RunAssist

router = APIRouter(tags=["assist"])


@router.post("/api/studies/{study}/sessions/{session}/assist", status_code=202)
def start(request: Request, body: AssistIn, access: RunAssist, db: DbSession,
          after: BackgroundTasks) -> AssistRunOut:
    """Queue a pass over the session's video; the server's assist worker runs it (woken
    after the answer, when the queued pass is committed)."""
    run = assist.request_run(db, session=access.the_session, user=access.user,
                             detectors=body.detectors)
    after.add_task(worker_of(request.app).start)
    return run_out(run)


@router.post("/studies/{study}/sessions/{session}/assist", include_in_schema=False)
def start_from_page(request: Request, access: RunAssist, db: DbSession,
                    after: BackgroundTasks) -> Response:
    """The session page's button: queue a pass with the default detectors, back to the page."""
    assist.request_run(db, session=access.the_session, user=access.user)
    after.add_task(worker_of(request.app).start)
    return RedirectResponse(_page_of(access), status_code=303)


@router.post("/studies/{study}/sessions/{session}/assist/cancel", include_in_schema=False)
def cancel_from_page(access: RunAssist, db: DbSession) -> Response:
    for run in assist.runs_of(db, access.the_session):
        if run.state in ("queued", "running"):
            assist.cancel(db, run)
    return RedirectResponse(_page_of(access), status_code=303)


def _page_of(access: Access) -> str:
    return f"/studies/{access.the_study.name}/sessions/{access.the_session.name}#assist"


@router.get("/api/studies/{study}/sessions/{session}/assist")
def runs(access: ReadStudy, db: DbSession) -> list[AssistRunOut]:
    """The session's passes, newest first: state, progress, suggestions found, error."""
    return [run_out(r) for r in assist.runs_of(db, access.the_session)]


@router.delete("/api/studies/{study}/sessions/{session}/assist")
def cancel(access: RunAssist, db: DbSession) -> list[AssistRunOut]:
    """Stop the session's queued or running pass; it stores no suggestions."""
    found = [r for r in assist.runs_of(db, access.the_session)
             if r.state in ("queued", "running")]
    for r in found:
        assist.cancel(db, r)
    return [run_out(r) for r in found]


@router.get("/api/codings/{coding_id}/suggestions")
def suggestions(access: ReadCoding, db: DbSession) -> dict[str, Any]:
    """The coding's suggestions with this coding's decisions, and the silences after its bids.
    Empty, with the reason, for trainees and in training or reliability codings."""
    coding = access.the_coding
    if not assist_decisions.shown_in(coding, access.role):
        return {"shown": False, "suggestions": []}
    return {"shown": True, "suggestions": assist_decisions.listing(db, coding)}

