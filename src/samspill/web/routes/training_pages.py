"""The training pages: marking a master, a trainee's feedback on a tape, and certification (the
trainer's overview of every trainee, or one trainee's report). Their numbers and words share
the agreement pages' formatters (:func:`~samspill.web.agreement_format.agreement_page`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from samspill.services import access as policy
from samspill.services import agreement, training, transcripts
from samspill.services.scoring import settings_of
from samspill.store.models import Coding
from samspill.web import training_text as words
from samspill.web.agreement_format import agreement_page
from samspill.web.compared_states import tape_states
from samspill.web.deps import DbSession, ReadCoding, ReadStudy, ReviewCoding, trainee_for

router = APIRouter(include_in_schema=False)


@router.post("/codings/{coding_id}/master")
def master_form(
    access: ReviewCoding,
    db: DbSession,
    purpose: Annotated[str, Form(max_length=16)],
    back: Annotated[str, Form(max_length=16)] = "session",
) -> Response:
    """Mark the coding as its session's master; back to the session page or the coding screen
    (``back=coding``), which say so."""
    coding = training.mark_master(db, coding=access.the_coding, purpose=purpose, by=access.user)
    return _after_master(coding, back, "marked")


@router.post("/codings/{coding_id}/master/remove")
def unmaster_form(
    access: ReviewCoding, db: DbSession, back: Annotated[str, Form(max_length=16)] = "session"
) -> Response:
    coding = training.unmark_master(db, coding=access.the_coding, by=access.user)
    return _after_master(coding, back, "unmarked")


def _after_master(coding: Coding, back: str, done: str) -> Response:
    where = (
        f"/codings/{coding.id}"
        if back == "coding"
        else f"/studies/{coding.session.study.name}/sessions/{coding.session.name}"
    )
    return RedirectResponse(f"{where}?master={done}-{coding.id}", status_code=303)


@router.get("/codings/{coding_id}/feedback")
def feedback_page(request: Request, access: ReadCoding, db: DbSession) -> Response:
    policy.check_feedback(access.member, access.the_coding)
    found = training.feedback(db, access.the_coding)
    pooled = found.pair.kappa.iloc[-1]
    reader = words.Reader(found.coding.coder.username, found.coding.coder_id == access.user.id)
    states = tape_states(found)
    for item in [*states["signs"], states["qualifier"]]:
        if item is not None and not item["same"]:
            item["difference"] = words.tape_difference(item["words"], reader)
    return agreement_page(
        request,
        access,
        "agreement_feedback.html",
        found=found,
        reader=reader,
        said=reader.words(),
        kappa=float(pooled["kappa"]),
        units=int(pooled["units"]),
        tolerant=(
            float(found.pair.tolerance["kappa_mean"].iloc[-1])
            if found.pair.tolerance is not None
            else None
        ),
        comparison=words.comparison(found.unit_ms, found.tolerance_ms),
        unit=words.seconds(found.unit_ms),
        outcome=words.outcome(found),
        differences=agreement.records(found.differences),
        timing=words.timing_rows(found),
        timing_line=words.timing_line(found),
        ratings=agreement.records(found.ratings),
        states=states,
        per_code=words.per_code_rows(found),
        # Issue 12: the master's transcript, now that the trainee has submitted the tape.
        master_transcript=transcripts.has_text(db, found.master),
    )


@router.get("/studies/{study}/certification")
def certification_page(
    request: Request,
    access: ReadStudy,
    db: DbSession,
    trainee: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The trainer's overview of every trainee (owners, viewers), or one trainee's report: a
    trainee's own, or the one a trainer names with ``?trainee=``. The server decides."""
    study = access.the_study
    others = policy.holds(access.role, "certification.read_others")
    if trainee is None and others:
        return agreement_page(request, access, "agreement_certification_overview.html",
                     rule=settings_of(study).certification,
                     trainees=[_summary(found) for found in training.overview(db, study)])
    found = training.certification(db, study, trainee_for(access, db, trainee))
    reader = words.Reader(found.trainee, found.trainee == access.user.username)
    return agreement_page(
        request,
        access,
        "agreement_certification.html",
        found=found,
        reader=reader,
        said=reader.words(),
        verdict=words.verdict(found),
        reasons=words.reasons(found.result.report) if found.result else [],
        rule=settings_of(study).certification,
        criteria=words.criterion_rows(found.result.report) if found.result else [],
        tapes=words.tape_rows(found),
        trainees=training.trainees_of(db, study) if others else [],
    )


def _summary(found: training.CertificationReport) -> dict[str, Any]:
    """One trainee in the overview: the verdict, the criteria by key, the tapes."""
    criteria = words.criterion_rows(found.result.report) if found.result else []
    return {"name": found.trainee, "verdict": words.verdict(found),
            "passed": found.result.passed if found.result else None,
            "criteria": {c["key"].split(" ")[0] if c["key"].startswith("level ") else c["key"]:
                         c for c in criteria},
            "tapes": words.tape_rows(found), "unrated": found.unrated}
