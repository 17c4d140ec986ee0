"""Agreement and training (issue 5): JSON API for assignments, reconciliation, consensus,
master tapes, trainee feedback, certification and the agreement report.

The pages that show the same live in :mod:`samspill.web.routes.agreement_pages`. Every answer
comes from the services; the blind rule is applied by the Permission dependency.

Coders (or a trainee and the master) are compared on the five signs' *states*, never on the
flags alone: :mod:`samspill.web.compared_states` turns the services' state tables into what
the pages and the API show, with the words in the request's language.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query

from samspill.services import access as policy
from samspill.services import agreement, assignments, consensus, studies, training
from samspill.services.scoring import settings_of
from samspill.web.api_shapes import coding_out
from samspill.web.compared_states import sign_states, tape_states
from samspill.web.deps import (
    Access,
    DbSession,
    ManageStudy,
    ReadAgreement,
    ReadCoding,
    ReadStudy,
    ReviewCoding,
    trainee_for,
)
from samspill.web.schemas import AssignIn, AssignManyIn, ConsensusIn, MasterIn, ReconcileIn

router = APIRouter(tags=["agreement"])
SESSION_API = "/api/studies/{study}/sessions/{session}"


@router.get(SESSION_API + "/assignments")
def list_assignments(access: ManageStudy, db: DbSession) -> dict:
    return assignment_state(access, db)


@router.post(SESSION_API + "/assignments")
def post_assignments(body: AssignIn, access: ManageStudy, db: DbSession) -> dict:
    assignments.assign(db, session=access.the_session, usernames=body.coders, by=access.user)
    return assignment_state(access, db)


@router.post("/api/studies/{study}/assignments")
def post_study_assignments(body: AssignManyIn, access: ManageStudy, db: DbSession) -> dict:
    """Assign several sessions at once (all or nothing); the new assignments."""
    study = access.the_study
    chosen = [studies.get_session(db, study=study, name=n) for n in dict.fromkeys(body.sessions)]
    added = assignments.assign_many(db, sessions=chosen, usernames=body.coders, by=access.user)
    names = {s.id: s.name for s in chosen}
    return {"assigned": [{"session": names[a.session_id], "coder": a.coder.username}
                         for a in added]}


@router.get("/api/studies/{study}/assignments/mine")
def my_assignments(access: ReadStudy, db: DbSession) -> list[dict]:
    """The asking user's assigned sessions in the study: ``session``, ``purpose``, ``state``
    (not_started, in_progress, submitted) and ``coding`` (its id, or null)."""
    return [{"session": a.session.name, "purpose": a.purpose, "state": a.state,
             "coding": a.coding.id if a.coding else None}
            for a in assignments.my_assignments(db, study=access.the_study, user=access.user)]


def assignment_state(access: Access, db: DbSession) -> dict:
    session = access.the_session
    recon = assignments.reconciliation_of(db, session)
    return {
        "session": session.name,
        "coders": [a.coder.username for a in assignments.assignments_of(db, session)],
        "submitted": [c.coder.username for c in assignments.assigned_codings(db, session)],
        "progress": assignments.progress_of(db, session),
        "reconciliation_open": recon is not None,
        "reconciled_coding": recon.coding_id if recon else None,
    }


@router.post(SESSION_API + "/reconciliation")
def open_reconciliation(body: ReconcileIn, access: ManageStudy, db: DbSession) -> dict:
    tolerance = body.tolerance_ms
    if tolerance is None:
        tolerance = settings_of(access.the_study).agreement_tolerance_ms
    assignments.open_reconciliation(
        db, session=access.the_session, by=access.user, tolerance_ms=tolerance
    )
    return assignment_state(access, db)


@router.get(SESSION_API + "/reconciliation")
def get_disagreements(access: ManageStudy, db: DbSession) -> dict:
    found = consensus.disagreements(db, access.the_session)
    return {
        "coders": found.coders,
        "tolerance_ms": found.tolerance_ms,
        "events": agreement.records(found.items),
        "ratings": agreement.records(found.ratings),
        "segment_ratings": agreement.records(found.segment_ratings),
        **sign_states(found),
        # Kept for old readers: a flag is true only when present, so absent and not
        # observable read alike there. Compare the signs on "signs" and "qualifier".
        "flags": agreement.records(found.flags),
    }


@router.post(SESSION_API + "/consensus", status_code=201)
def post_consensus(body: ConsensusIn, access: ManageStudy, db: DbSession) -> dict:
    coding = consensus.build(
        db,
        session=access.the_session,
        by=access.user,
        event_choices=body.events,
        rating_choices=body.ratings,
        segment_rating_choices=body.segment_ratings,
        master=body.master,
    )
    return {
        "coding": coding_out(coding).model_dump(),
        "provenance": agreement.records(consensus.provenance(db, coding)),
    }


@router.get("/api/codings/{coding_id}/provenance")
def get_provenance(access: ReadCoding, db: DbSession) -> list[dict]:
    return agreement.records(consensus.provenance(db, access.the_coding))


@router.put("/api/codings/{coding_id}/master")
def put_master(body: MasterIn, access: ReviewCoding, db: DbSession) -> dict:
    coding = training.mark_master(
        db, coding=access.the_coding, purpose=body.purpose, by=access.user
    )
    return coding_out(coding).model_dump()


@router.delete("/api/codings/{coding_id}/master")
def delete_master(access: ReviewCoding, db: DbSession) -> dict:
    """Unmark the master: the coding is *submitted* again, the tape has no master."""
    coding = training.unmark_master(db, coding=access.the_coding, by=access.user)
    return coding_out(coding).model_dump()


@router.get("/api/codings/{coding_id}/feedback")
def get_feedback(access: ReadCoding, db: DbSession) -> dict:
    policy.check_feedback(access.member, access.the_coding)
    return feedback_json(training.feedback(db, access.the_coding))


def feedback_json(found: training.Feedback) -> dict:
    pooled = found.pair.kappa.iloc[-1]
    tolerant = found.pair.tolerance
    return {
        "coding": found.coding.id,
        "master": found.master.id,
        "time_unit_kappa": _none_if_nan(float(pooled["kappa"])),
        "units": int(pooled["units"]),
        "time_unit_kappa_tolerance": agreement.records(tolerant.iloc[[-1]])[0]
        if tolerant is not None
        else None,
        "event_kappa": _none_if_nan(found.pair.event_kappa),
        "per_code": agreement.records(found.pair.per_code),
        "differences": agreement.records(found.differences),
        # Issue 22: the unit and tolerance compared at, and the timing of matched events
        # (onset_lag_ms = trainee − master: > 0 late), besides missing and extra events.
        "unit_ms": found.unit_ms,
        "tolerance_ms": found.tolerance_ms,
        "outcome": found.outcome,
        "timing": agreement.records(found.timing),
        "timing_summary": {k: int(v) for k, v in found.timing_summary.items()},
        "ratings": agreement.records(found.ratings),
        **tape_states(found),
        # Kept for old readers; see "signs" and "qualifier".
        "flags": agreement.records(found.flags),
    }


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value


@router.get("/api/studies/{study}/certification")
def get_certification(
    access: ReadStudy, db: DbSession, trainee: Annotated[str | None, Query(max_length=64)] = None
) -> dict:
    found = training.certification(db, access.the_study, trainee_for(access, db, trainee))
    return certification_json(found)


def certification_json(found: training.CertificationReport) -> dict:
    result = found.result
    return {
        "trainee": found.trainee,
        "passed": result.passed if result else False,
        "reasons": result.reasons if result else ["no tape is rated by both trainee and master"],
        "criteria": agreement.records(result.report) if result else [],
        "tapes": agreement.records(found.tapes),
        "unrated": found.unrated,
    }


@router.get("/api/studies/{study}/agreement")
def get_agreement(
    access: ReadAgreement,
    db: DbSession,
    session: Annotated[str | None, Query(max_length=100)] = None,
    unit_ms: Annotated[int | None, Query(ge=1, le=600_000)] = None,
    tolerance_ms: Annotated[int | None, Query(ge=0, le=600_000)] = None,
) -> dict:
    report = agreement.study_agreement(
        db, access.the_study, session_name=session, unit_ms=unit_ms, tolerance_ms=tolerance_ms
    )
    return agreement.report_json(report)
