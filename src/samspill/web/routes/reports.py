"""Report pages and downloads: a session's report (HTML page, PDF) and a study's cohort report.

Blind coding holds here as everywhere: a coder or trainee gets the report of their own coding
only, a viewer of a submitted or master coding (``deps.check_coding_access``).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session

from samspill.reports.cohort_report import cohort_document
from samspill.reports.data import coding_data, cohort_data
from samspill.reports.document import Document
from samspill.reports.render import CSS_FILE, WebLinks, render, render_html
from samspill.reports.session_report import session_document
from samspill.services import codings
from samspill.store.models import Coding
from samspill.web import i18n
from samspill.web.deps import Access, DbSession, Permission, allow, check_coding_access

router = APIRouter(tags=["reports"], include_in_schema=False)
ReadStudy = Annotated[Access, Depends(Permission("study.read"))]
ManageStudy = Annotated[Access, Depends(Permission("study.manage"))]
Format = Annotated[Literal["html", "pdf", "download"], Query()]
Lang = Annotated[Literal["en", "nb"] | None, Query()]
CSS_PATH = "/reports/report.css"


@router.get(CSS_PATH, dependencies=[allow("public")])
def report_css() -> FileResponse:
    """The reports' stylesheet (the page's CSP allows no inline styles)."""
    return FileResponse(CSS_FILE, media_type="text/css")


def _coding_for(db: Session, access: Access, coder: str | None) -> Coding:
    """The asked coder's coding, else one's own (coders, trainees), else the master or only."""
    if coder is None and access.role in ("coder", "trainee"):
        coder = access.user.username
    coding = codings.pick_coding(db, session=access.session, coder=coder)  # type: ignore[arg-type]
    check_coding_access(Access(access.user, access.role, coding=coding), write=False)
    return coding


@router.get("/studies/{study}/sessions/{session}/report")
def session_report(access: ReadStudy, db: DbSession, format: Format = "html",
                   coder: str | None = None, lang: Lang = None) -> Response:
    coding = _coding_for(db, access, coder)
    data = coding_data(db, coding)
    document = session_document(data, lang or i18n.current_language.get())
    base = f"/studies/{access.study.name}/sessions/{access.session.name}"  # type: ignore[union-attr]
    query = f"coder={coding.coder.username}&lang={document.language}"
    links = WebLinks(pdf=f"{base}/report?format=pdf&{query}",
                     html=f"{base}/report?format=download&{query}", back=base, css=CSS_PATH)
    name = f"report-{access.study.name}-{access.session.name}-{coding.coder.username}"  # type: ignore[union-attr]
    return _respond(document, format, links, name)


@router.get("/studies/{study}/report")
def cohort_report(access: ManageStudy, db: DbSession, format: Format = "html",
                  lang: Lang = None) -> Response:
    """Owners only: the cohort report shows every coder's results."""
    study = access.study.name  # type: ignore[union-attr]
    data = cohort_data(db, study=study)
    document = cohort_document(data, lang or i18n.current_language.get())
    base = f"/studies/{study}/report?lang={document.language}"
    links = WebLinks(pdf=f"{base}&format=pdf", html=f"{base}&format=download",
                     back=f"/studies/{study}", css=CSS_PATH)
    return _respond(document, format, links, f"cohort-{study}")


def _respond(document: Document, fmt: str, links: WebLinks, name: str) -> Response:
    """The page, or a file to save: PDF, or the self-contained HTML."""
    if fmt == "html":
        return HTMLResponse(render_html(document, links=links))
    kind = "pdf" if fmt == "pdf" else "html"
    body = render(document, kind)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    media = "application/pdf" if kind == "pdf" else "text/html; charset=utf-8"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}.{kind}"'})
