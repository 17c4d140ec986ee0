"""Agreement and training pages: assignment and reconciliation, consensus decisions, trainee
feedback, the certification report and the agreement report. Forms post here and redirect.

The JSON API for the same is :mod:`samspill.web.routes.agreement`; both call the services.
Plots are server-side SVG with presentation attributes only (the CSP allows no inline style).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from samspill.core import numbers
from samspill.core.errors import N_, NotFoundError
from samspill.core.indicators import INDICATORS
from samspill.core.reliability._input import NIL
from samspill.core.scheme_labels import localised, scheme_translation
from samspill.interop.result_files import result_format
from samspill.services import (
    agreement,
    assignments,
    codings,
    consensus,
    schemes,
    studies,
)
from samspill.services.scoring import settings_of
from samspill.store.models import Coding, Reconciliation
from samspill.web import i18n, result_tables
from samspill.web.agreement_format import (
    ITEM_TITLES,
    KAPPA_KINDS,
    agreement_page,
    fmt_kappa,
    fmt_percent,
    missing,
    statistic_label,
)
from samspill.web.compared_states import indicator_title, sign_states
from samspill.web.deps import (
    Access,
    DbSession,
    ManageStudy,
    ReadAgreement,
)
from samspill.web.labels import ASSIGNMENT_WORDS
from samspill.web.scores_display import value_label

router = APIRouter(include_in_schema=False)
UnitMs = Annotated[int | None, Query(ge=1, le=3_600_000)]
ToleranceMs = Annotated[int | None, Query(ge=0, le=600_000)]
SESSION_PAGE = "/studies/{study}/sessions/{session}"
PLOT_WIDTH = 1000


_ = i18n.gettext


SEGMENT_FIELD = "segment-rating:"  # a per-segment rating's choice: <segment id>:<item>


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
    return agreement_page(
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
        progress=assignments.progress_of(db, session),
        assignment_words=ASSIGNMENT_WORDS,
        submitted=[c.coder.username for c in assignments.assigned_codings(db, session)],
        found=found,
        states=sign_states(found) if found else None,
        nil=NIL,
        chosen=consensus.default_choice(found.items, found.coders) if found else {},
        lanes=_item_lanes(found, session.duration_ms) if found else [],
        segment_rows=_segment_rows(db, found) if found else [],
        provenance=(
            readable_provenance(db, recon_coding)
            if (recon_coding := _reconciled(db, recon))
            else []
        ),
        default_tolerance=settings_of(access.the_study).agreement_tolerance_ms,
    )


def _segment_rows(db: DbSession, found: consensus.Disagreements) -> list[dict[str, Any]]:
    """The per-segment ratings side by side (issue 14): the segment's name, the item's title
    in the page's language, each coder's value, and the first coder's preselected."""
    names = {s.id: s.name for s in studies.segments_of(db, found.codings[0].session)}
    labels = _rating_labels(found.codings[0])
    rows = []
    for r in agreement.records(found.segment_ratings):
        values = {c: str(r[c] or "") for c in found.coders}
        rows.append({"key": r["key"], "segment": names.get(r["segment"], r["segment"]),
                     "what": labels.get(r["item"], r["item"]), "values": values,
                     "agree": bool(r["agree"]),
                     "chosen": next((c for c in found.coders if values[c]), "")})
    return rows


def _rating_labels(coding: Coding) -> dict[str, str]:
    """The scheme's rating items by their labels in the page's language."""
    scheme = codings.coding_scheme(coding)
    shown = localised(scheme, scheme_translation(scheme, i18n.current_language.get()))
    return {r.id: r.label for r in shown.rating_items}


def _reconciled(db: DbSession, recon: Reconciliation | None) -> Coding | None:
    if recon is None or recon.coding_id is None:
        return None
    return codings.get_coding(db, recon.coding_id)


def readable_provenance(db: DbSession, coding: Coding) -> list[dict[str, Any]]:
    """Where each decision of the reconciled coding came from, as people read it: whose
    version (``coder``), the event's code by its name in the page's language, its subject and
    time, or the rating's title and value; never the events' ids."""
    scheme = codings.coding_scheme(coding)
    shown = localised(scheme, scheme_translation(scheme, i18n.current_language.get()))
    names = {c.id: c.name for c in shown.codes}
    items = {r.id: r.label for r in shown.rating_items}
    segments = {s.id: s.name for s in studies.segments_of(db, coding.session)}
    rows = []
    for p in agreement.records(consensus.provenance(db, coding)):
        if p["item_kind"] == "event":
            code = str(p["code"] or "")
            rows.append({"event": True, "what": names.get(code, code), "code": code,
                         "subject": p["subject"] or "", "onset_ms": p["onset_ms"],
                         "offset_ms": p["offset_ms"], "coder": p["coder"]})
        elif p["item_kind"] == consensus.SEGMENT_RATING:
            item, segment = str(p["source_item"]), str(p["segment"])
            rows.append({"event": False, "coder": p["coder"], "value": p["value"] or "",
                         "what": f"{items.get(item, item)}, {segments.get(segment, segment)}"})
        else:
            item = str(p["item_id"])
            title = _(ITEM_TITLES[item]) if item in ITEM_TITLES else items.get(item, item)
            rows.append({"event": False, "what": title, "value": p["value"] or "",
                         "coder": p["coder"]})
    return rows


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


@router.post("/studies/{study}/assignments")
def assign_sessions_form(
    access: ManageStudy,
    db: DbSession,
    sessions: Annotated[list[str], Form(max_length=500)],
    coders: Annotated[list[str], Form(max_length=20)],
) -> Response:
    """Assign several sessions at once to the same coders (blind double coding); back to the
    study page, which lists each session's coders."""
    study = access.the_study
    chosen = [studies.get_session(db, study=study, name=name) for name in dict.fromkeys(sessions)]
    assignments.assign_many(db, sessions=chosen, usernames=coders, by=access.user)
    return RedirectResponse(f"/studies/{study.name}#assignments", status_code=303)


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
    """Choices arrive as ``event:<item key>``, ``rating:<item>`` and
    ``segment-rating:<segment id>:<item>`` fields naming a coder."""
    form = await request.form()
    events = {k[6:]: str(v) for k, v in form.items() if k.startswith("event:")}
    ratings = {k[7:]: str(v) for k, v in form.items() if k.startswith("rating:")}
    per_segment = {k[len(SEGMENT_FIELD):]: str(v) for k, v in form.items()
                   if k.startswith(SEGMENT_FIELD)}
    await run_in_threadpool(  # it writes: never on the event loop
        consensus.build,
        db,
        session=access.the_session,
        by=access.user,
        event_choices=events,
        rating_choices=ratings,
        segment_rating_choices=per_segment,
        master=form.get("master") == "on",
    )
    return _to_reconcile(access)


@router.get("/studies/{study}/agreement")
def report_page(
    request: Request,
    access: ReadAgreement,
    db: DbSession,
    session: Annotated[str | None, Query(max_length=100)] = None,
    unit_ms: UnitMs = None,
    tolerance_ms: ToleranceMs = None,
    table: Annotated[str | None, Query(max_length=16)] = None,
    page: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    rows: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """The study's agreement; ``unit_ms`` and ``tolerance_ms`` default to the study's
    settings. Its long tables page (``?table=&page=``) and download (``/download``)."""
    study = access.the_study
    report = agreement.study_agreement(db, study, session_name=session, unit_ms=unit_ms,
                                       tolerance_ms=tolerance_ms)
    matrix = report.pairwise
    params = {"session": session, "unit_ms": unit_ms, "tolerance_ms": tolerance_ms}
    base = f"/studies/{study.name}/agreement"
    names = code_names(db, study.id)

    def view(key: str, title: str, frame: pd.DataFrame) -> result_tables.ResultTable:
        shown = result_tables.Options.of(page, rows) if key == table else result_tables.Options()
        return result_tables.table_view(frame, key=key, title=title, options=shown,
                                        page_base=base, download_base=f"{base}/download",
                                        params=params)

    settings = settings_of(study)
    return agreement_page(
        request,
        access,
        "agreement_report.html",
        report=report,
        asked={"session": session or "", "unit_ms": report.unit_ms,
               "tolerance_ms": report.tolerance_ms},
        defaults={"unit_ms": settings.agreement_unit_ms,
                  "tolerance_ms": settings.agreement_tolerance_ms},
        sessions=[s.name for s in studies.sessions_of(db, study)],
        coders=[str(c) for c in matrix.index],
        matrix=[[None if pd.isna(v) else float(v) for v in row] for row in matrix.to_numpy()],
        matrix_downloads=view("matrix", "", _matrix_frame(matrix)).downloads,
        mean_of_pairs=fmt_kappa(_mean_kappa(report.pairs)),
        pairs=view("pairs", _("Pairs"), _pairs_shown(report.pairs)),
        per_code=view("per_code", _("Per code"), _per_code_shown(report.per_code, names)),
        ratings=view("ratings", _("Ratings"), _ratings_shown(report.ratings)),
        icc_note=icc_note(report.ratings, report.indicators),
        indicators=indicator_rows(report.indicators),
        indicator_downloads=view("indicators", "", report.indicators).downloads,
        confusions=[
            (key, [names.get(str(x), str(x)) for x in t.index],
             t.to_numpy().astype(int).tolist())
            for key, t in report.confusion.items()
        ],
        plots=[(key, _run_lanes(t, report.unit_ms)) for key, t in report.timeline.items()],
    )


@router.get("/studies/{study}/agreement/download")
def report_file(
    access: ReadAgreement,
    db: DbSession,
    table: Annotated[str, Query(max_length=16)],
    format: Annotated[str, Query(max_length=8)] = "csv",
    session: Annotated[str | None, Query(max_length=100)] = None,
    unit_ms: UnitMs = None,
    tolerance_ms: ToleranceMs = None,
) -> Response:
    """One table of the agreement report as CSV, XLSX or JSON: the rows its page shows, with
    every column the service computes and the stored ids (codes, statistics) as they are."""
    if table not in REPORT_TABLES:
        raise NotFoundError(N_("the agreement report has no table '{table}'"),
                            fix=N_("use one of {tables}"),
                            params={"table": table, "tables": ", ".join(REPORT_TABLES)})
    fmt = result_format(format)
    report = agreement.study_agreement(db, access.the_study, session_name=session,
                                       unit_ms=unit_ms, tolerance_ms=tolerance_ms)
    frames = {"pairs": report.pairs, "per_code": report.per_code, "ratings": report.ratings,
              "indicators": report.indicators, "matrix": _matrix_frame(report.pairwise)}
    return result_tables.download(frames[table], fmt, name=f"agreement-{table}",
                                  options=result_tables.Options())


REPORT_TABLES = ("pairs", "per_code", "ratings", "indicators", "matrix")
# ICC intervals from fewer sessions than this (or wider than 1) are too wide to read.
ICC_READABLE_SESSIONS = 10


def code_names(db: DbSession, study_id: int) -> dict[str, str]:
    """Code id → its name in the page's language, over the schemes the study's codings use."""
    language = i18n.current_language.get()
    names: dict[str, str] = {}
    for scheme in schemes.study_schemes(db, study_id):
        shown = localised(scheme, scheme_translation(scheme, language))
        names.update({c.id: c.name for c in shown.codes if c.id not in names})
    names.setdefault(NIL, _("nothing coded"))
    return names


def _matrix_frame(matrix: pd.DataFrame) -> pd.DataFrame:
    return matrix.rename_axis("coder").reset_index()


def _mean_kappa(pairs: pd.DataFrame) -> float:
    if pairs.empty or "time_unit_kappa" not in pairs:
        return float("nan")
    return float(pairs["time_unit_kappa"].mean())


def _pairs_shown(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs as the page shows them (κ with two decimals); the file keeps every column."""
    return pd.DataFrame({
        _("Session"): pairs["session"], "A": pairs["coder_a"], "B": pairs["coder_b"],
        _("Units"): pairs["units"].map(_count),
        "κ": pairs["time_unit_kappa"].map(fmt_kappa),
        _("κ with tolerance (mean)"): pairs["kappa_mean"].map(fmt_kappa),
        _("Event kappa"): pairs["event_kappa"].map(fmt_kappa),
        _("Alignment kappa"): pairs["alignment_kappa"].map(fmt_kappa),
    })


def _per_code_shown(per_code: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    if per_code.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        _("Session"): per_code["session"], "A": per_code["coder_a"], "B": per_code["coder_b"],
        _("Code"): per_code["code"].map(lambda c: names.get(str(c), str(c))),
        _("Units A"): per_code["a"].map(_count), _("Units B"): per_code["b"].map(_count),
        _("Both"): per_code["both"].map(_count), "κ": per_code["kappa"].map(fmt_kappa),
    })


def _ratings_shown(ratings: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in agreement.records(ratings):
        measure = str(r["measure"])
        rows.append({
            _("Item"): _(ITEM_TITLES[measure]) if measure in ITEM_TITLES else measure,
            _("Statistic"): statistic_label(r["statistic"]),
            _("Value"): fmt_percent(r["value"]) if r["statistic"] == "percent"
            else fmt_kappa(r["value"]),
            _("95 % CI"): "" if missing(r["ci95_low"])
            else _("{low} to {high}").format(low=fmt_kappa(r["ci95_low"]),
                                             high=fmt_kappa(r["ci95_high"])),
            _("Sessions"): _count(r["targets"]),
        })
    return pd.DataFrame(rows)


def _count(value: object) -> str:
    return numbers.count(value, i18n.current_language.get())


def icc_note(ratings: pd.DataFrame, indicators: pd.DataFrame) -> str:
    """A warning when an ICC's 95 % interval rests on few sessions or is wider than 1: it then
    says next to nothing (e.g. −0.60 to 0.99 from three sessions)."""
    found = [(r["targets"], r["ci95_low"], r["ci95_high"]) for r in agreement.records(ratings)
             if str(r["statistic"]).startswith("ICC") and not missing(r["ci95_low"])]
    found += [(r["sessions"], r["ci95_low"], r["ci95_high"])
              for r in agreement.records(indicators) if not missing(r["ci95_low"])]
    wide = [(n, low, high) for n, low, high in found
            if missing(n) or int(n) < ICC_READABLE_SESSIONS or float(high) - float(low) > 1]
    if not wide:
        return ""
    sessions = min((int(n) for n, _low, _high in wide if not missing(n)), default=0)
    _n, low, high = max(wide, key=lambda w: float(w[2]) - float(w[1]))
    return _(
        "The ICC's 95 % intervals rest on {sessions} sessions: an interval such as {low} to "
        "{high} is too wide to read. Read the ICC itself with care, and code {readable} or "
        "more sessions twice before relying on it."
    ).format(sessions=sessions, low=fmt_kappa(low), high=fmt_kappa(high),
             readable=ICC_READABLE_SESSIONS)


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
            "icc_ci": "" if missing(r["ci95_low"]) else
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
    if missing(a) or missing(b):
        return missing(a) != missing(b)
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
