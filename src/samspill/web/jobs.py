"""Long work from a web request (exports, imports, analyses, cohort reports) as a job: it runs
with its own unit of work, and the form answers at once with the job page's address, which
polls ``/api/studies/{study}/jobs/{job_id}`` (:mod:`samspill.services.jobs`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from samspill.services.jobs import REGISTRY, Job
from samspill.store.db import Database
from samspill.store.models import Study, User
from samspill.web.deps import Access

# Work done in a job: (its own db session, the study, the user, progress) → the result.
JobWork = Callable[[Session, Study, User, Callable[[float], None]], Any]


def start_job(
    request: Request, access: Access, kind: str, work: JobWork, detail: str = ""
) -> Response:
    """Run ``work`` in a job with its own unit of work; answer with the job page's address."""
    database: Database = request.app.state.database
    study_id, user_id = access.the_study.id, access.user.id

    def run(progress: Callable[[float], None]) -> Any:
        with database.session() as db:
            study, user = db.get(Study, study_id), db.get(User, user_id)
            return work(db, study, user, progress)  # type: ignore[arg-type]

    job = REGISTRY.start(
        run, user_id=user_id, study=access.the_study.name, kind=kind, detail=detail
    )
    return RedirectResponse(f"/studies/{access.the_study.name}/jobs/{job.id}", status_code=303)


def job_of(access: Access, job_id: str) -> Job:
    """The asking user's job in this study (another's job is not found)."""
    return REGISTRY.get(job_id, user_id=access.user.id, study=access.the_study.name)
