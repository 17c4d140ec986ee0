"""The audit log, read-only: a study's owners see its rows, administrators every row.

There is no route that changes or deletes a row; the database refuses it too (migration 0002).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from samspill.services import audit
from samspill.store.models import AuditEntry
from samspill.web.deps import Admin, DbSession, ReadAudit
from samspill.web.schemas import AuditOut, AuditQuery
from samspill.web.templating import templates

router = APIRouter(tags=["audit"])


Filters = Annotated[AuditQuery, Query()]


def _rows(db: DbSession, study: str | None, filters: AuditQuery) -> list[AuditEntry]:
    return list(
        audit.entries(
            db,
            study=study,
            username=filters.user,
            action=filters.action,
            since=filters.since,
            until=filters.until,
            limit=filters.limit,
        )
    )


def _out(rows: list[AuditEntry]) -> list[AuditOut]:
    return [AuditOut.model_validate(r, from_attributes=True) for r in rows]


def _csv(rows: list[AuditEntry], name: str) -> Response:
    return Response(
        audit.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/studies/{study}/audit")
def study_audit(access: ReadAudit, db: DbSession, filters: Filters) -> list[AuditOut]:
    return _out(_rows(db, access.study.name, filters))  # type: ignore[union-attr]


@router.get("/api/studies/{study}/audit.csv")
def study_audit_csv(access: ReadAudit, db: DbSession, filters: Filters) -> Response:
    name = access.study.name  # type: ignore[union-attr]
    return _csv(_rows(db, name, filters), f"audit-{name}.csv")


@router.get("/api/audit")
def all_audit(access: Admin, db: DbSession, filters: Filters) -> list[AuditOut]:
    """Every row, logins included (they belong to no study)."""
    return _out(_rows(db, None, filters))


@router.get("/api/audit.csv")
def all_audit_csv(access: Admin, db: DbSession, filters: Filters) -> Response:
    return _csv(_rows(db, None, filters), "audit.csv")


@router.get("/studies/{study}/audit", include_in_schema=False)
def audit_page(request: Request, access: ReadAudit, db: DbSession, filters: Filters) -> Response:
    study = access.study
    assert study is not None
    return templates.TemplateResponse(
        request,
        "audit.html",
        {
            "user": access.user,
            "csrf": access.csrf,
            "study": study,
            "rows": _rows(db, study.name, filters),
            "filters": filters,
            "query": request.url.query,
        },
    )
