"""Report pages and downloads: a session's report (HTML page, PDF) and a study's cohort report.

Blind coding holds here as everywhere: a coder or trainee gets the report of their own coding
only, a viewer of a submitted or master coding (``services.access``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session

from samspill.core.errors import N_
from samspill.core.selection import Pooling
from samspill.reports.cohort_report import cohort_document
from samspill.reports.document import Document
from samspill.reports.render import CSS_FILE, WebLinks, render, render_html
from samspill.reports.session_report import session_document
from samspill.services import access as policy
from samspill.services import codings
from samspill.services.exports import ExportFile
from samspill.services.reporting import agreement_summary, coding_data, cohort_data
from samspill.store.models import Coding, Study, User
from samspill.web import i18n
from samspill.web.deps import (
    Access,
    DbSession,
    ManageStudy,
    ReadStudy,
    allow,
)
from samspill.web.jobs import start_job

router = APIRouter(tags=["reports"], include_in_schema=False)
Format = Annotated[Literal["html", "pdf", "download"], Query()]
Lang = Annotated[Literal["en", "nb"] | None, Query()]
# Which codings of a session the cohort report holds: auto, coder:NAME or off.
OnePerSession = Annotated[str, Query(max_length=80)]
CSS_PATH = "/reports/report.css"


@router.get(CSS_PATH, dependencies=[allow("public")])
def report_css() -> FileResponse:
    """The reports' stylesheet (the page's CSP allows no inline styles)."""
    return FileResponse(CSS_FILE, media_type="text/css")


def _coding_for(db: Session, access: Access, coder: str | None) -> Coding:
    """The asked coder's coding, else one's own (coders, trainees), else the master or only.

    A study that hides the scores from coders or trainees (blind mode) hides their reports too.
    """
    policy.check_scores(access.the_study, access.role,
                        fix=N_("ask the study's owner for the report"))
    coder = policy.default_coder(access.member, coder)
    coding = codings.pick_coding(db, session=access.the_session, coder=coder)
    policy.check_coding(access.member, coding, write=False)
    return coding


@router.get("/studies/{study}/sessions/{session}/report")
def session_report(
    access: ReadStudy,
    db: DbSession,
    format: Format = "html",
    coder: str | None = None,
    lang: Lang = None,
) -> Response:
    coding = _coding_for(db, access, coder)
    data = coding_data(db, coding)
    document = session_document(data, lang or i18n.current_language.get())
    study, session = access.the_study.name, access.the_session.name
    base = f"/studies/{study}/sessions/{session}"
    query = f"coder={coding.coder.username}&lang={document.language}"
    links = WebLinks(
        pdf=f"{base}/report?format=pdf&{query}",
        html=f"{base}/report?format=download&{query}",
        back=base,
        css=CSS_PATH,
    )
    return _respond(document, format, links, f"report-{study}-{session}-{coding.coder.username}")


@router.get("/studies/{study}/report")
def cohort_report(
    access: ManageStudy,
    db: DbSession,
    format: Format = "html",
    lang: Lang = None,
    one_per_session: OnePerSession = "auto",
) -> Response:
    """Owners only: the cohort report shows every coder's results, one coding per session
    unless ``one_per_session`` says otherwise (auto, coder:NAME or off)."""
    study = access.the_study.name
    pooled = Pooling.parse(one_per_session)
    data = cohort_data(db, study=study, agreement=agreement_summary(db, study=study),
                       pooled=pooled)
    document = cohort_document(data, lang or i18n.current_language.get())
    chosen = quote(str(pooled), safe=":")
    base = f"/studies/{study}/report?lang={document.language}&one_per_session={chosen}"
    links = WebLinks(
        pdf=f"{base}&format=pdf",
        html=f"{base}&format=download",
        back=f"/studies/{study}",
        css=CSS_PATH,
        job=f"/studies/{study}/report?one_per_session={chosen}",
        csrf=access.csrf,
    )
    return _respond(document, format, links, f"cohort-{study}")


@router.post("/studies/{study}/report")
def cohort_report_job(
    request: Request,
    access: ManageStudy,
    format: Annotated[Literal["pdf", "html"], Form()] = "pdf",
    lang: Annotated[Literal["en", "nb"], Form()] = "en",
    one_per_session: OnePerSession = "auto",
) -> Response:
    """The cohort report as a file, made in a job: its page shows progress, then the file."""
    pooled = Pooling.parse(one_per_session)

    def work(db: Session, study: Study, _user: User, progress: Callable[[float], None]) -> Any:
        data = cohort_data(
            db,
            study=study.name,
            agreement=agreement_summary(db, study=study.name),
            progress=lambda fraction: progress(0.8 * fraction),
            pooled=pooled,
        )
        body = render(cohort_document(data, lang), format)
        media = "application/pdf" if format == "pdf" else "text/html; charset=utf-8"
        return ExportFile(f"cohort-{study.name}.{format}", media, body)

    return start_job(request, access, "Cohort report", work, detail=format.upper())


def _respond(document: Document, fmt: str, links: WebLinks, name: str) -> Response:
    """The page, or a file to save: PDF, or the self-contained HTML."""
    if fmt == "html":
        return HTMLResponse(render_html(document, links=links))
    kind = "pdf" if fmt == "pdf" else "html"
    body = render(document, kind)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    media = "application/pdf" if kind == "pdf" else "text/html; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )
