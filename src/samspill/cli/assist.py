"""`samspill assist run|list|cancel|evaluate`: the assist's suggestions from the command line.

Suggestions are never codes: a coder accepts each one in the coding screen before it becomes an
event. ``evaluate`` is how a lab measures the assist against its own coders; nothing else in
Samspill states an accuracy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from samspill.cli.common import DataDir, console, open_database, settings_for, unit_of_work
from samspill.core.numbers import clock, fixed, percent, seconds

assist_app = typer.Typer(
    help="Suggestions from the video's sound (speech, crying, silence after a bid) and picture "
    "(proximity, holding), for a coder to confirm. Suggestions are never codes.",
    no_args_is_help=True)
StudyOpt = Annotated[str, typer.Option("--study", help="The study.")]
SessionOpt = Annotated[str | None, typer.Option("--session", help="The session's name.")]
DetectorsOpt = Annotated[str | None, typer.Option(
    "--detectors", help="Which detectors run, comma-separated: speech, cry, pose. Default: the "
    "study's (its setting assist.detectors).")]


@assist_app.command("run")
def run(
    study: StudyOpt,
    session: SessionOpt = None,
    every: Annotated[bool, typer.Option("--all", help="Every session of the study with a "
                                        "video.")] = False,
    detectors: DetectorsOpt = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="With --all: worker "
                                         "processes of the local Dask cluster.")] = 2,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="With --all: address of a running Dask scheduler "
        "(tcp://host:8786) whose workers see this data folder; default: a local cluster.",
    )] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the assist over one session's video (with a progress bar), or over every session."""
    from samspill.cli.exchange import progress_bar
    from samspill.services import assist, assist_batch, media, studies

    chosen = None if detectors is None else [d.strip() for d in detectors.split(",")
                                             if d.strip()]
    if every == (session is not None):
        raise typer.BadParameter("give --session NAME or --all (one of them)")
    database = open_database(data_dir)
    try:
        with database.session() as db:
            the_study = studies.get_study(db, study)
            sessions = ([studies.get_session(db, study=the_study, name=session)] if session
                        else [s for s in studies.sessions_of(db, the_study)
                              if media.media_of(db, s)])
            run_ids = [assist.request_run(db, session=s, user=None, detectors=chosen).id
                       for s in sessions]
            names = {r: s.name for r, s in zip(run_ids, sessions, strict=True)}
        if session is not None:
            with progress_bar(f"assist {session}") as bar:
                finished = assist.execute(
                    database.session, run_ids[0], media_dir=database.settings.media_dir,
                    models_dir=database.settings.assist_models_dir, progress=bar)
            results = [assist_batch.result_of(run_ids[0], finished)]
            console.print(f"{session}: {_said(results[0])}")
    finally:
        database.dispose()
    if not run_ids:
        console.print(f"No session of {study} has a video.")
        return
    if session is None:
        results = assist_batch.run_many(
            settings_for(data_dir), run_ids, workers=workers, scheduler=scheduler,
            done=lambda r: console.print(f"{names[r['run']]}: {_said(r)}"))
    console.print("Suggestions are not codes: a coder accepts or rejects each one in the "
                  "coding screen.")
    if any(r["state"] != "done" for r in results):
        raise typer.Exit(2)


def _said(result: dict[str, object]) -> str:
    if result["state"] == "done":
        found = result["found"]
        return f"{found} suggestion{'' if found == 1 else 's'}"
    return f"{result['state']}: {result['error'] or ''}".rstrip(": ")


@assist_app.command("list")
def list_suggestions(study: StudyOpt, session: Annotated[str, typer.Option(
        "--session", help="The session's name.")], data_dir: DataDir = None) -> None:
    """The session's suggestions and its assist passes."""
    from samspill.services import assist, studies

    with unit_of_work(data_dir) as (db, _):
        the_session = studies.get_session(db, study=studies.get_study(db, study), name=session)
        rows = assist.suggestions_of(db, the_session)
        passes = assist.runs_of(db, the_session)
        table = Table("from", "to", "suggestion", "who", "confidence", "detector")
        for r in rows:
            table.add_row(clock(r.onset_ms), clock(r.offset_ms) if r.offset_ms is not None
                          else "", r.code, r.subject, percent(r.confidence),
                          f"{r.detector} {r.version}")
        console.print(table)
        for p in passes:
            console.print(f"pass {p.id}: {p.state}, {percent(p.progress)} done, "
                          f"{p.found} suggestions")


@assist_app.command("cancel")
def cancel(study: StudyOpt, session: Annotated[str, typer.Option(
        "--session", help="The session's name.")], data_dir: DataDir = None) -> None:
    """Stop the session's queued or running pass (it stores no suggestions)."""
    from samspill.services import assist, studies

    with unit_of_work(data_dir) as (db, _):
        the_session = studies.get_session(db, study=studies.get_study(db, study), name=session)
        under_way = [r for r in assist.runs_of(db, the_session)
                     if r.state in ("queued", "running")]
        for r in under_way:
            assist.cancel(db, r)
    console.print(f"{len(under_way)} pass(es) cancelled." if under_way
                  else "No pass is under way.")


@assist_app.command("evaluate")
def evaluate(
    study: StudyOpt,
    coder: Annotated[str, typer.Option("--coder", help="The coder whose codes are the "
                                       "reference.")],
    unit_ms: Annotated[int | None, typer.Option("--unit-ms", help="Time unit Δ (default: the "
                                                "study's).")] = None,
    tolerance_ms: Annotated[int | None, typer.Option("--tolerance-ms", help="Tolerance τ "
                                                     "(default: the study's).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the table (.csv or "
                                             ".xlsx).")] = None,
    data_dir: DataDir = None,
) -> None:
    """How the assist's suggestions agree with a coder's codes on this study's sessions."""
    from samspill.services import accounts, assist_batch, studies

    with unit_of_work(data_dir) as (db, _):
        table = assist_batch.evaluation(db, study=studies.get_study(db, study),
                                        coder=accounts.get_user(db, coder),
                                        unit_ms=unit_ms, tolerance_ms=tolerance_ms)
    shown = Table("suggestion", "sessions", "coded", "suggested", "precision", "recall",
                  "onset error", "κ")
    for row in table.itertuples():
        shown.add_row(str(row.type), str(row.sessions), str(row.human), str(row.suggested),
                      percent(row.precision), percent(row.recall), seconds(row.onset_error_ms),
                      fixed(row.kappa))
    console.print(shown)
    first = table.iloc[0]
    console.print(f"Time unit {seconds(first['unit_ms'])}, tolerance "
                  f"{seconds(first['tolerance_ms'])}. Measured on this study's sessions "
                  f"against {coder}; it says nothing about other rooms or cameras.")
    if out is not None:
        if out.suffix.lower() == ".xlsx":
            table.to_excel(out, index=False)
        else:
            table.to_csv(out, index=False)
        console.print(f"Written to {out}")
