"""Server-rendered pages: studies, a study, a session. Forms post here and redirect back."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from samspill.core.errors import SamspillError
from samspill.core.events import Segment
from samspill.core.scheme_labels import segment_role_labels, template_segment_name
from samspill.core.study_settings import study_settings
from samspill.services import assignments, assist, codings, studies, training
from samspill.services.access import holds, scores_visible
from samspill.services.coding_list import last_changed
from samspill.services.media import media_of
from samspill.services.schemes import latest_version, segment_template_for
from samspill.services.scores_json import scores_to_json
from samspill.services.scoring import scored_coding
from samspill.store.models import Coding, Study
from samspill.web import i18n
from samspill.web import training_text as words
from samspill.web.assist_schemas import run_out
from samspill.web.deps import (
    Access,
    Authenticated,
    CodeStudy,
    DbSession,
    ManageStudy,
    ReadStudy,
    allow,
    visible_codings,
)
from samspill.web.form_values import optional_date
from samspill.web.labels import ASSIGNMENT_WORDS
from samspill.web.master_notice import master_done
from samspill.web.pooling_choice import pooling_choices
from samspill.web.scores_display import scores_display
from samspill.web.templating import templates

router = APIRouter(include_in_schema=False)


def _page(request: Request, access: Access, name: str, **context: object) -> Response:
    return templates.TemplateResponse(
        request, name, {"user": access.user, "csrf": access.csrf, "role": access.role, **context}
    )


@router.get("/", dependencies=[allow("authenticated")])
def home(request: Request, access: Authenticated, db: DbSession) -> Response:
    rows = [
        (s, studies.role_of(db, study=s, user=access.user))
        for s in studies.studies_for(db, access.user)
    ]
    return _page(
        request, access, "studies.html", studies=rows,
        may_create=studies.may_create_studies(access.user),
    )


@router.post("/studies", dependencies=[allow("authenticated")])
def create_study(
    access: Authenticated,
    db: DbSession,
    name: Annotated[str, Form(max_length=64)],
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    studies.create_study_as(db, name=name, creator=access.user, title=title)
    return RedirectResponse(f"/studies/{name}", status_code=303)


@router.get("/studies/{study}")
def study_page(request: Request, access: ReadStudy, db: DbSession) -> Response:
    study = access.the_study
    return _page(
        request,
        access,
        "study.html",
        study=study,
        sessions=studies.sessions_of(db, study),
        members=studies.members(db, study),
        settings=study_settings(study.settings),
        my_training=_my_training(db, access) if access.role == "trainee" else None,
        pooling_choices=pooling_choices(db, study, access.role),
        my_assignments=assignments.my_assignments(db, study=study, user=access.user),
        assignment_words=ASSIGNMENT_WORDS,
        **(_assignment_form(db, study) if access.role == "owner" else {}),
    )


def _my_training(db: DbSession, access: Access) -> dict[str, object]:
    """A trainee's tapes done (tape, day submitted, passed) for their study page; a tape that
    cannot be scored shows its error there instead of breaking the page."""
    try:
        found = training.certification(db, access.the_study, access.user)
    except SamspillError as error:
        return {"tapes": [], "error": f"{error.message} ({error.fix})", "verdict": ""}
    return {"tapes": words.tape_rows(found), "error": "", "verdict": words.verdict(found)}


def _assignment_form(db: DbSession, study: Study) -> dict[str, object]:
    """For the owner's form that assigns several sessions at once: the coders who may be
    assigned, and each session's assigned coders (none for a session being reconciled,
    which can no longer be assigned)."""
    sessions = studies.sessions_of(db, study)
    return {
        "assignable_coders": [m.user.username for m in studies.members(db, study)
                              if m.role in assignments.CODING_ROLES],
        "assigned_by_session": {
            s.name: [a.coder.username for a in assignments.assignments_of(db, s)]
            for s in sessions},
        "reconciling": {s.name for s in sessions
                        if assignments.reconciliation_of(db, s) is not None},
    }


@router.post("/studies/{study}/sessions")
def create_session(
    access: ManageStudy,
    db: DbSession,
    name: Annotated[str, Form(max_length=100)],
    dyad: Annotated[str, Form(max_length=64)],
    procedure: Annotated[str, Form(max_length=32)] = "free-play",
    date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    study = access.the_study
    pair = studies.get_or_create_dyad(db, study=study, code=dyad)
    when = optional_date(date, "date")
    studies.create_session(
        db,
        study=study,
        dyad=pair,
        name=name,
        date=when,
        procedure=procedure,
    )
    return RedirectResponse(f"/studies/{study.name}/sessions/{name}", status_code=303)


@router.get("/studies/{study}/sessions/{session}")
def session_page(
    request: Request,
    access: ReadStudy,
    db: DbSession,
    scope: Annotated[str, Query(max_length=200)] = "session",
    master: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    session = access.the_session
    template = segment_template_for(db, session.procedure)
    visible = visible_codings(access, db)
    shown = _scored_coding(access, visible)
    scores, display, problem = _scores_of(db, shown)
    segments = studies.segments_of(db, session)
    language = i18n.current_language.get()
    return _page(
        request,
        access,
        "session.html",
        study=access.the_study,
        session=session,
        scores=scores,
        scores_display=display,
        scores_scope=_chosen_scope(display, scope),
        scores_problem=problem,
        scored_coding=shown,
        media=media_of(db, session),
        segments=segments,
        # A template's segment is stored with its English name; shown in the page's language.
        segment_names={s.id: template_segment_name(s.spec_id, s.name, language)
                       for s in segments},
        template=template,
        role_labels=segment_role_labels(language),
        codings=visible,
        master_done=master_done(master, visible),
        last_changed=last_changed(db, visible),
        age=studies.age_in_months(session.dyad.child_birth_month, session.date),
        assist_runs=[run_out(r) for r in assist.runs_of(db, session)[:1]],
        may_run_assist=holds(access.role, "assist.run"),
    )


def _scores_of(
    db: DbSession, coding: Coding | None
) -> tuple[dict | None, dict | None, SamspillError | None]:
    """The coding's scores and what the page shows of them; or, when the coding cannot be
    scored (a state still running, an event past the media's end), the reason and the fix."""
    if coding is None:
        return None, None, None
    try:
        found = scored_coding(db, coding)
    except SamspillError as problem:
        return None, None, problem
    scores = {**scores_to_json(found.scores), "provisional": found.provisional}
    return scores, scores_display(scores, codings.coding_scheme(coding)), None


def _chosen_scope(display: dict | None, key: str) -> dict | None:
    """The scope asked for (``session``, ``reunions``, ``segment:<id>``), else the whole session."""
    if display is None:
        return None
    scopes = display["scopes"]
    return next((s for s in scopes if s["key"] == key), scopes[0] if scopes else None)


def _scored_coding(access: Access, visible: list[Coding]) -> Coding | None:
    """The coding whose scores the page shows: the master, else the user's own."""
    if not visible or not scores_visible(access.the_study, access.role):
        return None
    masters = [c for c in visible if c.status == "master"]
    own = [c for c in visible if c.coder_id == access.user.id]
    return (masters or own or [None])[-1]


@router.post("/studies/{study}/sessions/{session}/segments")
def add_segment(
    access: CodeStudy,
    db: DbSession,
    name: Annotated[str, Form(max_length=100)],
    start_ms: Annotated[int, Form(ge=0)],
    end_ms: Annotated[int, Form(ge=0)],
    role: Annotated[str, Form(max_length=16)] = "plain",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    session = access.the_session
    studies.put_segment(
        db,
        session=session,
        segment=Segment(
            id=str(uuid.uuid4()), name=name, role=role, start_ms=start_ms, end_ms=end_ms, note=note
        ),
    )
    return RedirectResponse(
        f"/studies/{access.the_study.name}/sessions/{session.name}",
        status_code=303,
    )


@router.post("/studies/{study}/sessions/{session}/codings")
def start_coding(
    access: CodeStudy,
    db: DbSession,
    scheme_id: Annotated[str, Form(max_length=64)] = "withdrawal-open",
) -> Response:
    purpose = "training" if access.role == "trainee" else "study"
    coding = codings.create_coding(
        db,
        session=access.the_session,
        coder=access.user,
        scheme_version=latest_version(db, scheme_id),
        purpose=purpose,
    )
    return RedirectResponse(f"/codings/{coding.id}", status_code=303)
