"""Agreement and training pages: assignment and reconciliation, consensus decisions, trainee
feedback, the certification report and the agreement report. Forms post here and redirect.

The JSON API for the same is :mod:`samspill.web.routes.agreement`; both call the services.
Plots are server-side SVG with presentation attributes only (the CSP allows no inline style).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from samspill.core.indicators import INDICATORS
from samspill.core.reliability._input import NIL
from samspill.services import access as policy
from samspill.services import agreement, assignments, codings, consensus, studies, training
from samspill.services.scoring import settings_of
from samspill.store.models import Coding, Reconciliation
from samspill.web import i18n
from samspill.web.compared_states import indicator_title, sign_states, tape_states
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
from samspill.web.scores_display import value_label
from samspill.web.templating import page

router = APIRouter(include_in_schema=False)
SESSION_PAGE = "/studies/{study}/sessions/{session}"
PLOT_WIDTH = 1000


def N_(message: str) -> str:
    """Marks an English string for Babel's extractor; it is translated where shown."""
    return message


_ = i18n.gettext
# Row labels of the rating tables.
ITEM_TITLES = {
    "level": N_("Level of disrupted communication"),
    "profile": N_("Profile"),
    "disrupted": N_("Disrupted (classification)"),
}
KAPPA_KINDS = {"cohen": "Cohen", "fleiss": "Fleiss"}
# The rating statistics of the agreement report (the service's ``statistic`` column).
STATISTICS = {
    "percent": N_("agreement in percent"),
    "alpha (ordinal)": N_("Krippendorff's α (ordinal)"),
    "alpha (interval)": N_("Krippendorff's α (interval)"),
    "kappa (cohen)": "κ (Cohen)",
    "kappa (fleiss)": "κ (Fleiss)",
}


def statistic_label(statistic: object) -> str:
    """A rating statistic's name as people read it; the ICC forms keep their names."""
    key = str(statistic)
    return _(STATISTICS[key]) if key in STATISTICS else key


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_kappa(value: object) -> str:
    """κ (or an ICC, α) as people read it: two decimals in the page's language; "–" when
    undefined."""
    if _missing(value):
        return "–"
    return format_decimal(float(value), "0.00", locale=i18n.current_language.get())  # type: ignore[arg-type]


def fmt_percent(value: object) -> str:
    """A percentage (0–100) as people read it: "85 %", "87,5 %"; "–" when undefined."""
    if _missing(value):
        return "–"
    number = format_decimal(float(value), "#,##0.#", locale=i18n.current_language.get())  # type: ignore[arg-type]
    return f"{number}\u00a0%"


def _page(request: Request, access: Access, name: str, **context: object) -> Response:
    """A study's page with the agreement pages' formatters."""
    return page(request, access, name, titles=ITEM_TITLES, fmt_kappa=fmt_kappa,
                fmt_percent=fmt_percent, statistic_label=statistic_label, **context)


def _to_reconcile(access: Access) -> Response:
    return RedirectResponse(
        f"/studies/{access.the_study.name}/sessions/{access.the_session.name}/reconcile",
        status_code=303,
    )


@router.get(SESSION_PAGE + "/reconcile")
def reconcile_page(request: Request, access: ManageStudy, db: DbSession) -> Response:
    session = access.the_session
    recon = assignments.reconciliation_of(db, session)
    found = consensus.disagreements(db, session) if recon is not None else None
    return _page(
        request,
        access,
        "agreement_reconcile.html",
        session=session,
        recon=recon,
        coders=[
            m.user.username
            for m in studies.members(db, access.the_study)
            if m.role in assignments.CODING_ROLES
        ],
        assigned=[a.coder.username for a in assignments.assignments_of(db, session)],
        submitted=[c.coder.username for c in assignments.assigned_codings(db, session)],
        found=found,
        states=sign_states(found) if found else None,
        nil=NIL,
        chosen=consensus.default_choice(found.items, found.coders) if found else {},
        lanes=_item_lanes(found, session.duration_ms) if found else [],
        provenance=(
            agreement.records(consensus.provenance(db, recon_coding))
            if (recon_coding := _reconciled(db, recon))
            else []
        ),
        default_tolerance=settings_of(access.the_study).agreement_tolerance_ms,
    )


def _reconciled(db: DbSession, recon: Reconciliation | None) -> Coding | None:
    if recon is None or recon.coding_id is None:
        return None
    return codings.get_coding(db, recon.coding_id)


def _item_lanes(found: consensus.Disagreements, duration_ms: int | None) -> list[dict]:
    """One lane per coder: marks at each item's onset (x in 0–PLOT_WIDTH)."""
    items = found.items
    end = max(int(duration_ms or 0), int(items["onset_ms"].max() or 0) + 1, 1)
    lanes = []
    for coder in found.coders:
        marks = []
        for _, row in items.iterrows():
            if row[f"{coder}:code"] == NIL:
                continue
            onset, offset = row[f"{coder}:onset_ms"], row[f"{coder}:offset_ms"]
            x = PLOT_WIDTH * onset / end
            width = PLOT_WIDTH * (offset - onset) / end if offset is not None else 0
            marks.append(
                {
                    "x": round(x, 1),
                    "w": round(max(width, 3.0), 1),
                    "point": offset is None,
                    "agree": bool(row["agree"]),
                    "code": row[f"{coder}:code"],
                    "subject": row["subject"],
                    "onset_ms": int(onset),
                }
            )
        # States first, so the points (drawn taller) stay visible on top of them.
        lanes.append({"coder": coder, "marks": sorted(marks, key=lambda m: m["point"])})
    return lanes


@router.post(SESSION_PAGE + "/assign")
def assign_form(
    access: ManageStudy, db: DbSession, coders: Annotated[list[str], Form(max_length=20)]
) -> Response:
    assignments.assign(db, session=access.the_session, usernames=coders, by=access.user)
    return _to_reconcile(access)


@router.post(SESSION_PAGE + "/reconcile")
def reconcile_form(
    access: ManageStudy, db: DbSession, tolerance_ms: Annotated[int, Form(ge=0, le=60_000)]
) -> Response:
    assignments.open_reconciliation(
        db, session=access.the_session, by=access.user, tolerance_ms=tolerance_ms
    )
    return _to_reconcile(access)


@router.post(SESSION_PAGE + "/consensus")
async def consensus_form(request: Request, access: ManageStudy, db: DbSession) -> Response:
    """Choices arrive as ``event:<item key>`` and ``rating:<item>`` fields naming a coder."""
    form = await request.form()
    events = {k[6:]: str(v) for k, v in form.items() if k.startswith("event:")}
    ratings = {k[7:]: str(v) for k, v in form.items() if k.startswith("rating:")}
    await run_in_threadpool(  # it writes: never on the event loop
        consensus.build,
        db,
        session=access.the_session,
        by=access.user,
        event_choices=events,
        rating_choices=ratings,
        master=form.get("master") == "on",
    )
    return _to_reconcile(access)


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
    return _page(
        request,
        access,
        "agreement_feedback.html",
        found=found,
        kappa=float(pooled["kappa"]),
        units=int(pooled["units"]),
        tolerant=(
            float(found.pair.tolerance["kappa_mean"].iloc[-1])
            if found.pair.tolerance is not None
            else None
        ),
        differences=agreement.records(found.differences),
        ratings=agreement.records(found.ratings),
        states=tape_states(found),
        per_code=agreement.records(found.pair.per_code),
    )


@router.get("/studies/{study}/certification")
def certification_page(
    request: Request,
    access: ReadStudy,
    db: DbSession,
    trainee: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    study = access.the_study
    found = training.certification(db, study, trainee_for(access, db, trainee))
    return _page(
        request,
        access,
        "agreement_certification.html",
        found=found,
        rule=settings_of(study).certification,
        criteria=agreement.records(found.result.report) if found.result else [],
        tapes=agreement.records(found.tapes),
        trainees=training.trainees_of(db, study)
        if policy.holds(access.role, "certification.read_others")
        else [],
    )


@router.get("/studies/{study}/agreement")
def report_page(
    request: Request,
    access: ReadAgreement,
    db: DbSession,
    session: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    report = agreement.study_agreement(db, access.the_study, session_name=session)
    matrix = report.pairwise
    return _page(
        request,
        access,
        "agreement_report.html",
        report=report,
        coders=[str(c) for c in matrix.index],
        matrix=[[None if pd.isna(v) else float(v) for v in row] for row in matrix.to_numpy()],
        pairs=agreement.records(report.pairs),
        per_code=agreement.records(report.per_code),
        ratings=agreement.records(report.ratings),
        indicators=indicator_rows(report.indicators),
        confusions=[
            (key, [str(x) for x in t.index], t.to_numpy().astype(int).tolist())
            for key, t in report.confusion.items()
        ],
        plots=[(key, _run_lanes(t, report.unit_ms)) for key, t in report.timeline.items()],
    )


def indicator_rows(table: pd.DataFrame) -> dict[str, Any]:
    """The indicator table of the agreement report as the page shows it: ``signs`` (the five)
    and ``qualifier`` (the hostility qualifier, apart), each with its title, the agreement on
    its states as the main figures (``percent``, ``kappa``, ``kappa_kind``), the ICC of its
    first value (``value``: that value's label); and ``flags``: the signs whose flag
    agreement (present or not: absent and not observable together) differs from their state
    agreement, the only case where the flag figures add something."""
    rows = []
    for r in agreement.records(table):
        spec = INDICATORS.get(str(r["indicator"]))
        if spec is None:
            continue
        rows.append({
            "id": spec.id, "kind": spec.kind,
            "title": indicator_title(spec),
            "sessions": r["sessions"], "coders": r["coders"],
            "percent": fmt_percent(r["state_percent"]),
            "kappa": fmt_kappa(r["state_kappa"]),
            "kappa_kind": KAPPA_KINDS.get(str(r["state_kappa_kind"]), ""),
            "icc": fmt_kappa(r["icc"]),
            "icc_ci": "" if _missing(r["ci95_low"]) else
            f"{fmt_kappa(r['ci95_low'])}–{fmt_kappa(r['ci95_high'])}",
            "value": value_label(spec.values[0]),
            "flag_percent": fmt_percent(r["flag_percent"]),
            "flag_kappa": fmt_kappa(r["flag_kappa"]),
            "flags_differ": _differ(r["flag_percent"], r["state_percent"])
            or _differ(r["flag_kappa"], r["state_kappa"]),
        })
    return {
        "signs": [r for r in rows if r["kind"] == "sign"],
        "qualifier": next((r for r in rows if r["kind"] == "qualifier"), None),
        "flags": [r for r in rows if r["kind"] == "sign" and r["flags_differ"]],
        "icc_min_sessions": agreement.ICC_MIN_TARGETS,
    }


def _differ(a: object, b: object) -> bool:
    if _missing(a) or _missing(b):
        return _missing(a) != _missing(b)
    return not math.isclose(float(a), float(b), abs_tol=1e-9)  # type: ignore[arg-type]


def _run_lanes(timeline: pd.DataFrame, unit_ms: int) -> dict:
    """Disagreement spans per subject and set, scaled to 0–PLOT_WIDTH (the end of the last
    unit)."""
    runs = agreement.disagreement_runs(timeline)
    end = int(timeline["start_ms"].max()) + unit_ms if len(timeline) else 1
    lanes = list(dict.fromkeys(zip(timeline["subject"], timeline["set"], strict=True)))
    spans = [
        {
            "lane": lanes.index((r.subject, r.set)),
            "x": round(PLOT_WIDTH * r.start_ms / end, 1),
            "w": round(max(PLOT_WIDTH * (r.end_ms - r.start_ms) / end, 1.0), 1),
            "start_ms": int(r.start_ms),
            "end_ms": int(r.end_ms),
        }
        for r in runs.itertuples(index=False)
    ]
    return {"lanes": [f"{s} · {k}" for s, k in lanes], "spans": spans, "end_ms": end}
