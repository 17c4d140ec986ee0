"""Exports and imports in the web app: download buttons, upload forms, the CSV mapping dialog,
and the job page that shows a long job's progress and then its result.

Every export or import runs as a job (:mod:`samspill.services.jobs`) with its own unit of
work; the form answers at once with a redirect to the job's page, which polls
``/api/studies/{study}/jobs/{job_id}``. Blind coding holds: an export holds only the codings
the asking user may see (``services.access``). Imports are for the study's owners.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError, NotFoundError
from samspill.core.selection import ONE_PER_SESSION, Pooling
from samspill.interop.boris_ethogram import to_identifier
from samspill.interop.datavyu_derive import Derived, derive_scheme
from samspill.interop.datavyu_opf import read_opf
from samspill.interop.events_csv import CSV_COLUMNS
from samspill.interop.result_files import result_format
from samspill.interop.tabular import FORMATS
from samspill.services import access as policy
from samspill.services import audit, exports, imports, open_exports, pooling, studies
from samspill.services.jobs import REGISTRY
from samspill.services.schemes import scheme_versions
from samspill.store.models import Coding, Study, User
from samspill.web import i18n, result_tables, templating
from samspill.web.deps import (
    Access,
    DbSession,
    ManageStudy,
    ReadStudy,
)
from samspill.web.elan_dialog import elan_dialog, fits_no_scheme
from samspill.web.i18n import marked as _  # for the extractor
from samspill.web.jobs import job_of, start_job
from samspill.web.pooling_choice import pooling_choices, read_pooling
from samspill.web.templating import page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
TableKey = Annotated[str | None, Query(max_length=8)]
PageNo = Annotated[int | None, Query(ge=1, le=1_000_000)]
RowsShown = Annotated[Literal["pooled", "all"] | None, Query()]



@router.get("/studies/{study}/exchange")
def exchange_page(request: Request, access: ReadStudy, db: DbSession) -> Response:
    """Download buttons for every export; upload forms for the owners."""
    study = access.the_study
    return page(
        request,
        access,
        "exchange_study.html",
        sessions=studies.sessions_of(db, study),
        table_kinds=exports.TABLE_KINDS,
        formats=FORMATS,
        schemes=_scheme_ids(db),
        scores_shown=policy.scores_visible(study, access.role),
        coders=[m.user.username for m in studies.members(db, study)]
        if policy.holds(access.role, "study.manage")
        else [],
        pooling_choices=pooling_choices(db, study, access.role, with_default=True),
    )


@router.post("/studies/{study}/export")
def start_export(
    request: Request,
    access: ReadStudy,
    what: Text,
    format: Text = "csv",
    session: Text = "",
    coder: Text = "",
    tiers: Text = "subject",
    raw_cells: Annotated[bool, Form()] = False,
    one_per_session: Text = "",
    bin_ms: Annotated[int, Form()] = 1000,
) -> Response:
    """Start an export of the codings this user may see; the job page offers the file.
    ``raw_cells``: no ' before text cells a spreadsheet would run (issue 21, item 10).
    ``one_per_session``: auto, coder:NAME or off; empty for the export's default (one per
    session for the cohort and predictors, every coding for events and coding files)."""
    if what in ("cohort", "predictors"):
        policy.check_scores(
            access.the_study, access.role, fix=N_("export the events, or ask the study's owner")
        )
    if what not in (*exports.TABLE_KINDS, *exports.FILE_KINDS, *OPEN_KINDS):
        raise InputError(N_("unknown export '{what}'"),
                         fix=N_("choose an export on the study page"), params={"what": what})
    if what == "binned":
        open_exports.check_bin_ms(bin_ms)  # at once, not on the job's page
    if tiers not in ("subject", "subject-dimension"):
        raise InputError(
            N_("unknown ELAN tier layout '{tiers}'"),
            fix=N_("choose subject or subject-dimension"), params={"tiers": tiers},
        )
    visible, chosen_session = policy.readable(access.member), session or None
    chosen_coder = coder or None
    pooled = read_pooling(one_per_session)

    def work(db: Session, study: Study, _user: User, progress: Callable[[float], None]) -> Any:
        chosen = exports.choose_codings(
            db, study, session=chosen_session, coder=chosen_coder, visible=visible
        )
        if what in OPEN_KINDS:
            return _open_export(db, study, what, format, bin_ms, chosen, pooled, progress)
        if what in exports.TABLE_KINDS:
            return exports.table_export(db, study, what, format, chosen, progress,  # type: ignore[arg-type]
                                        raw_cells=raw_cells, pooled=pooled)
        return exports.file_export(
            db,
            study,
            what,  # type: ignore[arg-type]
            chosen,
            tiers=tiers,  # type: ignore[arg-type]
            progress=progress,
            pooled=pooled or exports.default_pooling(what),  # type: ignore[arg-type]
        )

    return start_job(request, access, _("Export"), work, detail=f"{what} {session}".strip())


# The exports of issue 13 beyond the table kinds: the binned table, the BIDS-style zip.
OPEN_KINDS = ("binned", "bids")


def _open_export(db: Session, study: Study, what: str, fmt: str, bin_ms: int,
                 chosen: list[Coding], pooled: Pooling | None,
                 progress: Callable[[float], None]) -> exports.ExportFile:
    """A binned table (CSV or Parquet) or a BIDS zip (no videos) of one coding per session
    unless the form says otherwise."""
    taken = pooling.pooled(db, chosen, pooled or ONE_PER_SESSION)
    if what == "bids":
        return open_exports.bids_zip(db, study, taken, progress)
    return open_exports.binned_export(db, study, taken, bin_ms, fmt, progress)[0]  # type: ignore[arg-type]


def _import_job(
    request: Request,
    access: Access,
    kind: str,
    data: bytes,
    call: Callable[..., imports.ImportResult],
    dyad: str = "",
    procedure: str = "",
    **options: object,
) -> Response:
    if procedure not in ("", *imports.PROCEDURES):
        raise InputError(N_("unknown procedure '{procedure}'"),
                         fix=N_("choose free-play or ssp"), params={"procedure": procedure})

    def work(db: Session, study: Study, user: User, progress: Callable[[float], None]) -> Any:
        target = imports.Target(study=study, default_coder=user, coder=user, dyad=dyad or None,
                                procedure=procedure or None)
        result = call(db, target, data, progress=progress, **options)
        audit.record(
            db, action="import", user=user, target=kind, study=study.name, detail=result.summary()
        )
        return result

    return start_job(request, access, _("Import"), work, detail=kind)


async def _read(upload: UploadFile) -> bytes:
    data = await upload.read()
    if not data:
        raise InputError(N_("the uploaded file is empty"), fix=N_("choose the file again"))
    return data


@router.post("/studies/{study}/import/boris")
async def import_boris(
    request: Request, access: ManageStudy, file: UploadFile, scheme: Text = "",
    procedure: Text = "",
) -> Response:
    data = await _read(file)
    return _import_job(
        request,
        access,
        "boris",
        data,
        imports.import_boris,
        source=file.filename or "project.boris",
        scheme_id=scheme or None,
        procedure=procedure,
    )


@router.post("/studies/{study}/import/elan")
async def import_elan(
    request: Request,
    access: ManageStudy,
    db: DbSession,
    file: UploadFile,
    session: Text,
    dyad: Text = "",
    scheme: Text = "",
    procedure: Text = "",
) -> Response:
    data = await _read(file)
    name = file.filename or "session.eaf"
    if fits_no_scheme(db, data, name, scheme):  # issue 13: derive a scheme, or map the tiers
        return elan_dialog(request, access, db, data, name, session=session, dyad=dyad,
                           procedure=procedure)
    return _import_job(
        request,
        access,
        "elan",
        data,
        imports.import_elan,
        source=name,
        session=session,
        scheme_id=scheme or None,
        dyad=dyad,
        procedure=procedure,
    )


@router.post("/studies/{study}/import/datavyu")
async def import_datavyu(
    request: Request,
    access: ManageStudy,
    file: UploadFile,
    session: Text,
    dyad: Text = "",
    scheme: Text = "",
    procedure: Text = "",
    derive: Annotated[bool, Form()] = False,
) -> Response:
    """A Datavyu file; with ``derive``, first a page showing the scheme built from its
    columns, which imports only when the owner agrees (the file is held meanwhile)."""
    data = await _read(file)
    name = file.filename or "session.opf"
    if derive:
        derived = _derive_datavyu(data, name)
        held = REGISTRY.hold(user_id=access.user.id, study=access.the_study.name, name=name,
                             body=data)
        return page(request, access, "exchange_datavyu_scheme.html", upload_id=held.id,
                    file_name=name, scheme_id=derived.scheme.id, rows=_derived_rows(derived),
                    session=imports.session_name(session), dyad=dyad, procedure=procedure)
    return _import_job(request, access, "datavyu", data, imports.import_datavyu, source=name,
                       session=imports.session_name(session), scheme_id=scheme or None,
                       dyad=dyad, procedure=procedure)


def _derived_rows(derived: Derived) -> list[dict[str, Any]]:
    """Per column: its code group, codes (name, kind), modifier sets (argument, options), the
    arguments that go to the comment, and whether it is free text; for the page's table."""
    scheme, rows = derived.scheme, []
    for key, plan in derived.plans.items():
        sets = [(arg, scheme.modifier_set(set_id)) for arg, set_id in plan.modifiers.items()]
        rows.append({
            "column": key, "group": plan.group, "free": plan.fixed_code is not None,
            "codes": [(c.name, c.kind) for c in scheme.codes if c.category == plan.group],
            "modifiers": [(arg, s.options) for arg, s in sets if s is not None],
            "comments": list(plan.comments)})
    return rows


def _derive_datavyu(data: bytes, name: str) -> Derived:
    base = name[:-4] if name.lower().endswith(".opf") else name
    return derive_scheme([read_opf(data, name)], scheme_id=to_identifier(
        f"datavyu-{base}", "datavyu"), name=f"Datavyu columns of {base}")


@router.post("/studies/{study}/import/datavyu/{upload_id}")
async def import_datavyu_derived(
    request: Request, access: ManageStudy, upload_id: str, session: Text, dyad: Text = "",
    procedure: Text = "",
) -> Response:
    """The owner agreed to the derived scheme: store it and import the held file with it."""
    held = REGISTRY.held(upload_id, user_id=access.user.id, study=access.the_study.name)
    REGISTRY.release(upload_id)
    return _import_job(request, access, "datavyu", held.body, imports.import_datavyu,
                       source=held.name, session=imports.session_name(session),
                       derived=_derive_datavyu(held.body, held.name), dyad=dyad,
                       procedure=procedure)


@router.post("/studies/{study}/import/csv")
async def upload_csv(
    request: Request, access: ManageStudy, db: DbSession, file: UploadFile
) -> Response:
    """The CSV import's first step: hold the file and show its columns for the mapping."""
    data = await _read(file)
    name = file.filename or "events.csv"
    header, rows = imports.csv_preview(data, source=name)
    held = REGISTRY.hold(user_id=access.user.id, study=access.the_study.name, name=name, body=data)
    return page(
        request,
        access,
        "exchange_mapping.html",
        upload_id=held.id,
        file_name=name,
        header=header,
        rows=rows,
        fields=CSV_COLUMNS,
        guess=imports.guess_mapping(header),
        schemes=_scheme_ids(db),
        session=imports.session_name(name.removesuffix(".csv")),
    )


def _scheme_ids(db: Session) -> list[str]:
    return sorted({v.scheme_id for v in scheme_versions(db)})


@router.post("/studies/{study}/import/csv/{upload_id}")
async def import_csv(
    request: Request,
    access: ManageStudy,
    upload_id: str,
    session: Text,
    dyad: Text = "",
    scheme: Text = "",
    time_unit: Text = "ms",
    procedure: Text = "",
) -> Response:
    """The second step: import the held file with the chosen column for each field."""
    held = REGISTRY.held(upload_id, user_id=access.user.id, study=access.the_study.name)
    form = await request.form()
    mapping = {f: str(form.get(f"map_{f}", "")).strip() for f in CSV_COLUMNS}
    mapping = {f: column for f, column in mapping.items() if column}
    if time_unit not in ("ms", "s"):
        raise InputError(N_("unknown time unit '{unit}'"), fix=N_("choose ms or s"),
                         params={"unit": time_unit})
    REGISTRY.release(upload_id)
    return _import_job(
        request,
        access,
        "csv",
        held.body,
        imports.import_csv,
        source=held.name,
        session=imports.session_name(session),
        scheme_id=scheme or None,
        mapping=mapping,
        time_unit=time_unit,
        dyad=dyad,
        procedure=procedure,
    )


# ---------------------------------------------------------------- jobs


@router.get("/studies/{study}/jobs/{job_id}")
def job_page(
    request: Request,
    access: ReadStudy,
    job_id: str,
    table: TableKey = None,
    page: PageNo = None,
    rows: RowsShown = None,
) -> Response:
    """Progress while the job runs (the page polls), then its result or error; a result's
    tables page (``?table=N&page=P``) and collapse to their pooled rows (``rows=pooled``)."""
    job = job_of(access, job_id)
    result = job.result if job.state == "done" else None
    base = f"/studies/{access.the_study.name}/jobs/{job.id}"
    return templating.page(
        request,
        access,
        "exchange_job.html",
        job=job,
        file=result if isinstance(result, exports.ExportFile) else None,
        imported=result if isinstance(result, imports.ImportResult) else None,
        tables=[
            result_tables.table_view(
                frame, key=key, title=i18n.gettext(title), page_base=base,
                download_base=f"{base}/tables",
                options=result_tables.Options.of(page, rows) if key == table
                else result_tables.Options(),
            )
            for key, (title, frame) in _job_tables(result).items()
        ],
    )


@router.get("/studies/{study}/jobs/{job_id}/tables")
def job_table_file(
    access: ReadStudy,
    job_id: str,
    table: Annotated[str, Query(max_length=8)],
    format: Annotated[str, Query(max_length=8)] = "csv",
    rows: RowsShown = None,
) -> Response:
    """One of a finished analysis's tables as CSV, XLSX or JSON: the rows its page shows."""
    job = job_of(access, job_id)
    found = _job_tables(job.result if job.state == "done" else None)
    if table not in found:
        raise NotFoundError(N_("this job has no table '{table}'"),
                            fix=N_("use a download link of the job's page"),
                            params={"table": table})
    title, frame = found[table]
    return result_tables.download(frame, result_format(format), name=title,
                                  options=result_tables.Options.of(1, rows))


def _job_tables(result: object) -> dict[str, tuple[str, pd.DataFrame]]:
    """A job's result tables by key (``1``, ``2``, …): an analysis's ({title: DataFrame}) or
    the codings an export left out."""
    if isinstance(result, exports.ExportFile):
        result = _export_tables(result)
    if not isinstance(result, dict):
        return {}
    frames = [(str(t), f) for t, f in result.items() if isinstance(f, pd.DataFrame)]
    return {str(n): pair for n, pair in enumerate(frames, start=1)}


def _export_tables(exported: exports.ExportFile) -> dict[str, pd.DataFrame]:
    """A cohort or predictors export's table, shown under the download, and the codings it
    left out (they cannot be scored), with the reason and the fix."""
    shown: dict[str, pd.DataFrame] = {}
    if exported.table is not None:
        shown[_(TABLE_TITLES.get(exported.name.rsplit("-", 1)[-1].split(".")[0],
                                 "Table"))] = exported.table
    if not exported.excluded.empty:
        shown[_("Codings left out, and why")] = exported.excluded
    return shown


# The titles of the tables an export shows on its job page (the export form's names).
TABLE_TITLES = {"cohort": _("Cohort: one row per coding"),
                "predictors": _("Predictors: one row per dyad"),
                "tidy": _("Codebook: the file's columns"),
                "bins": _("Codebook: the file's columns")}


@router.get("/api/studies/{study}/jobs/{job_id}")
def job_status(access: ReadStudy, job_id: str) -> dict:
    return job_of(access, job_id).as_json()


@router.get("/studies/{study}/jobs/{job_id}/export")
def job_file(access: ReadStudy, job_id: str) -> Response:
    """The finished export's file."""
    job = job_of(access, job_id)
    if job.state != "done" or not isinstance(job.result, exports.ExportFile):
        raise NotFoundError(N_("this job has no file (yet)"), fix=N_("wait until the job is done"))
    exported = job.result
    return Response(
        exported.body,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{_safe(exported.name)}"'},
    )


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
