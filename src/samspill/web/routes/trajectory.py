"""A family's course over time (issue 23): the dyad page, its progress report (page, PDF,
HTML file) and the owner's form that marks each session's phase.

Access follows the session report: every member reading the study may open it, a study that
hides the scores from coders or trainees hides it from them too, and each session shows only a
coding the reader may read (the blind rule). The report is audit-logged as every report is.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.reports.progress_report import NoteRow, ProgressData, progress_document
from samspill.reports.render import WebLinks, render, render_html
from samspill.services import access as policy
from samspill.services import moments, trajectory
from samspill.store.models import Dyad
from samspill.web import i18n
from samspill.web.deps import Access, DbSession, ManageStudy, ReadStudy
from samspill.web.templating import page
from samspill.web.trajectory_display import (
    SCOPE_WORDS,
    chart_view,
    measures_view,
    phase_words,
    sessions_view,
    table_view,
)

router = APIRouter(tags=["trajectory"], include_in_schema=False)
CSS_PATH = "/reports/report.css"  # served by the reports' router
BASE = "/studies/{study}/dyads/{dyad}"
Format = Annotated[Literal["html", "pdf", "download"], Query()]
Lang = Annotated[Literal["en", "nb"] | None, Query()]


def _course(db: Session, access: Access, dyad: str) -> trajectory.Course:
    return trajectory.dyad_course(db, study=access.the_study, dyad_code=dyad,
                                  member=access.member)


@router.get(BASE)
def course_page(request: Request, dyad: str, access: ReadStudy, db: DbSession) -> Response:
    """Every session of the dyad in order, a chart and a table of the six signs per session
    and in the reunions, and each change judged."""
    course = _course(db, access, dyad)
    t = course.trajectory
    scopes = [{"key": s, "title": i18n.gettext(SCOPE_WORDS[s]), "chart": chart_view(t, s),
               "rows": table_view(t, s)} for s in t.scopes()]
    return page(request, access, "trajectory.html", dyad=course.dyad,
                sessions=sessions_view(t, {s.name: s.id for s in course.sessions}),
                scopes=scopes, measures=measures_view(t), phases=trajectory.PHASE_CHOICES,
                phase_words=phase_words())


@router.post(BASE + "/phases")
async def phases_form(request: Request, dyad: str, access: ManageStudy,
                      db: DbSession) -> Response:
    """Owners mark each session's phase: intake, during guidance, follow-up (or none)."""
    form = await request.form()
    found = trajectory.dyad_sessions_by_code(db, study=access.the_study, dyad_code=dyad)
    for session in found:
        value = form.get(f"phase-{session.id}")
        if value is None:
            continue
        if not isinstance(value, str) or value not in ("", *trajectory.PHASE_CHOICES):
            raise InputError(N_("no such phase"),
                             fix=N_("choose intake, during guidance, follow-up or none"))
        trajectory.set_phase(db, session=session, phase=value or None)
    return RedirectResponse(f"/studies/{access.the_study.name}/dyads/{dyad}", status_code=303)


def _notes(db: Session, access: Access, dyad: Dyad) -> tuple[NoteRow, ...] | None:
    """The dyad's guidance notes for the clinicians (owners and coders); None for others."""
    if not (access.user.is_admin or policy.holds(access.role, "moments.manage")):
        return None
    return tuple(NoteRow(n.session, n.kind, n.start_ms, n.end_ms, n.caption, n.parent_did,
                         n.child_showed, n.to_try)
                 for n in moments.guidance_notes_of_dyad(db, dyad))


@router.get(BASE + "/report")
def progress_report(dyad: str, access: ReadStudy, db: DbSession, format: Format = "html",
                    lang: Lang = None) -> Response:
    """The progress report for the family's file: a page, a PDF or a self-contained HTML."""
    course = _course(db, access, dyad)
    data = ProgressData(study=course.study.name, dyad=course.dyad.code,
                        child_birth_month=course.dyad.child_birth_month,
                        trajectory=course.trajectory, settings=course.settings,
                        notes=_notes(db, access, course.dyad))
    document = progress_document(data, lang or i18n.current_language.get())
    base = f"/studies/{access.the_study.name}/dyads/{course.dyad.code}"
    query = f"lang={document.language}"
    if format == "html":
        links = WebLinks(pdf=f"{base}/report?format=pdf&{query}",
                         html=f"{base}/report?format=download&{query}", back=base, css=CSS_PATH)
        return HTMLResponse(render_html(document, links=links))
    kind = "pdf" if format == "pdf" else "html"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", f"progress-{access.the_study.name}-{course.dyad.code}")
    media = "application/pdf" if kind == "pdf" else "text/html; charset=utf-8"
    return Response(render(document, kind), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})
