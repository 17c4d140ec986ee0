"""Moments to show, guidance notes and the feedback reel (issue 23): the page and its API.

For the study's clinicians (owners and coders: ``moments.manage``, ``reel.export``). The
proposals show what the signs rest on, so a study that hides the scores from a role hides
them here too; and they come from a coding the member may read (the blind rule holds).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from samspill.core.errors import N_
from samspill.core.reel import FREEZE_MS, KEY_SECOND_MS, SLOW_FACTOR
from samspill.services import access as policy
from samspill.services import media as media_service
from samspill.services import moments, reels
from samspill.web import i18n
from samspill.web.deps import Access, DbSession, ExportReel, ManageMoments
from samspill.web.moments_schemas import (
    MOMENT_STRINGS,
    REASON_WORDS,
    DecisionIn,
    MomentIn,
    NoteIn,
    RenderIn,
    moment_out,
    proposal_out,
    reel_out,
    render_out,
)
from samspill.web.reel_worker import worker_of
from samspill.web.templating import page

router = APIRouter(tags=["moments"])
API = "/api/studies/{study}/sessions/{session}"


def _check_scores(access: Access) -> None:
    policy.check_scores(access.the_study, access.role,
                        fix=N_("moments rest on the signs: ask the study's owner"))


def _state(db: Session, access: Access) -> dict[str, Any]:
    """Everything the page shows: proposals, the chosen moments with notes, the reel, exports."""
    _check_scores(access)
    session = access.the_session
    found = moments.propose(db, session, access.member)
    chosen = moments.moments_of(db, session)
    return {
        "coding": found.coding.id if found.coding else None,
        "duration_ms": found.duration_ms or session.duration_ms,
        "proposals": [proposal_out(p) for p in found.items],
        "moments": [moment_out(m, moments.note_of(db, m)) for m in chosen],
        "reel": reel_out([moments.clip_of(m) for m in chosen]),
        "renders": [render_out(r) for r in reels.renders_of(db, session)[:3]],
    }


@router.get("/studies/{study}/sessions/{session}/moments", include_in_schema=False)
def moments_page(request: Request, access: ManageMoments, db: DbSession) -> Response:
    """The moments page: proposals (suggestions), the chosen moments, the reel and its export."""
    session = access.the_session
    state = _state(db, access)
    videos = media_service.media_of(db, session)
    translations = i18n.translations(i18n.current_language.get())
    strings = {s: translations.gettext(s) for s in MOMENT_STRINGS}
    config = {"api": API.format(study=access.the_study.name, session=session.name),
              "media": videos[0].id if videos else None,
              "offset_ms": videos[0].offset_ms if videos else 0,
              "freeze_ms": FREEZE_MS, "key_second_ms": KEY_SECOND_MS,
              "slow_factor": SLOW_FACTOR, "reasons": REASON_WORDS,
              "may_export": policy.holds(access.role, "reel.export"),
              "language": i18n.current_language.get(), "csrf": access.csrf}
    return page(request, access, "moments.html", session=session, state=state,
                video=videos[0] if videos else None,
                boot=json.dumps({"state": state, "config": config, "strings": strings}).replace(
                    "<", "\\u003c"))


@router.get(API + "/moments")
def state(access: ManageMoments, db: DbSession) -> dict[str, Any]:
    """Proposals (suggestions, ranked by clarity), the chosen moments, the reel and exports."""
    return _state(db, access)


@router.post(API + "/moments")
def decide(body: DecisionIn, access: ManageMoments, db: DbSession) -> dict[str, Any]:
    """Accept or reject a proposal, named by its key."""
    _check_scores(access)
    moments.decide(db, access.the_session, key=body.key, status=body.status,
                   member=access.member, user=access.user)
    return _state(db, access)


@router.patch(API + "/moments/{moment_id}")
def change(moment_id: int, body: MomentIn, access: ManageMoments,
           db: DbSession) -> dict[str, Any]:
    """Trim, caption, freeze, slow or move a chosen moment."""
    session = access.the_session
    moment = moments.get_moment(db, session, moment_id)
    moments.change(db, moment, moments.MomentChange(**body.model_dump()),
                   duration_ms=session.duration_ms)
    return _state(db, access)


@router.delete(API + "/moments/{moment_id}")
def withdraw(moment_id: int, access: ManageMoments, db: DbSession) -> dict[str, Any]:
    """Undo the decision on a moment: its proposal is open again."""
    moments.withdraw(db, moments.get_moment(db, access.the_session, moment_id))
    return _state(db, access)


@router.put(API + "/moments/{moment_id}/note")
def note(moment_id: int, body: NoteIn, access: ManageMoments, db: DbSession) -> dict[str, Any]:
    """The moment's guidance note: what the parent did, what the child showed, what to try."""
    moment = moments.get_moment(db, access.the_session, moment_id)
    moments.set_note(db, moment, user=access.user, **body.model_dump())
    return _state(db, access)


@router.post(API + "/reel/renders", status_code=202)
def export_reel(request: Request, body: RenderIn, access: ExportReel, db: DbSession,
                after: BackgroundTasks) -> dict[str, Any]:
    """Export the reel as one MP4 (in the background; the audit log records it)."""
    render = reels.request_render(db, study=access.the_study, session=access.the_session,
                                  user=access.user, language=body.language,
                                  say=i18n.translations(body.language).gettext)
    after.add_task(worker_of(request.app).start)
    return render_out(render)


@router.get(API + "/reel/renders/{render_id}")
def render_state(render_id: int, access: ExportReel, db: DbSession) -> dict[str, Any]:
    return render_out(reels.get_render(db, access.the_session, render_id))


@router.get(API + "/reel/renders/{render_id}/export.mp4")
def render_file(request: Request, render_id: int, access: ExportReel,
                db: DbSession) -> Response:
    """The exported MP4, named by the study's codes only."""
    render = reels.get_render(db, access.the_session, render_id)
    path = reels.file_of(render, request.app.state.settings.data_dir)
    return FileResponse(path, media_type="video/mp4",
                        filename=reels.download_name(access.the_session, render))
