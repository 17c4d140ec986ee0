"""`samspill score`, `samspill cohort` and `samspill simulate`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from samspill.cli.common import (
    DataDir,
    OnePerSession,
    RawCells,
    Study,
    console,
    pooling_of,
    unit_of_work,
)
from samspill.cli.exchange import print_excluded, progress_bar
from samspill.core.errors import N_, InputError


def score(
    study: Study,
    session: Annotated[str, typer.Option("--session", help="The session's name.")],
    coder: Annotated[
        str | None,
        typer.Option("--coder", help="Whose coding (default: the master or only coding)."),
    ] = None,
    output: Annotated[str, typer.Option("--format", help="json or table.")] = "table",
    lang: Annotated[str, typer.Option(
        "--lang", help="The table's language: en or nb (bokmål); json keys stay English."
    )] = "en",
    data_dir: DataDir = None,
) -> None:
    """The withdrawal signs: five signs (state, reason, values, stability), the hostility qualifier
    and the AMBIANCE level of one coding, for the whole session and the reunions."""
    from samspill.cli.scores_text import check_language, scheme_title
    from samspill.services import coding_ratings, codings, studies
    from samspill.services.schemes import scheme_of
    from samspill.services.scores_json import scores_to_json
    from samspill.services.scoring import score_stored_coding
    if output not in ("json", "table"):
        raise InputError(f"unknown format '{output}'", fix="use --format json or table")
    check_language(lang)
    with unit_of_work(data_dir) as (db, _):
        target = studies.get_session(db, study=studies.get_study(db, study), name=session)
        coding = codings.pick_coding(db, session=target, coder=coder)
        result = scores_to_json(score_stored_coding(db, coding))
        result["label"] = scheme_title(scheme_of(coding.scheme_version), lang)
        problems = coding_ratings.rating_problems(db, coding)
        if problems:
            result["form_problems"] = problems
        result["coding"] = {
            "id": coding.id,
            "coder": coding.coder.username,
            "status": coding.status,
        }
    if output == "json":
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print_table(result, lang)


def _print_table(result: dict, lang: str = "en") -> None:
    from rich.console import Console
    from rich.table import Table

    from samspill.cli import scores_text

    # A terminal (or $COLUMNS) sets the width; a pipe or log gets 160 columns, whole phrases.
    out = Console()
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(width=160)
    said = scores_text.said
    coding = result.get("coding") or {}
    out.print(said(N_("Withdrawal signs · {label}"), lang).format(label=result["label"]),
              markup=False)
    if coding:
        out.print(said(N_("coding {id} by {coder} ({status})"), lang).format(
            id=coding["id"], coder=coding["coder"],
            status=scores_text.status_text(coding["status"], lang)), markup=False)
    for section in scores_text.scope_sections(result, lang):
        if section["outside"]:
            out.print(f"{section['title']}: {section['outside']}", markup=False)
        table = Table(title=section["title"], title_justify="left", show_lines=True)
        for _key, heading in scores_text.COLUMNS:
            table.add_column(said(heading, lang), overflow="fold")
        for row in section["rows"]:
            table.add_row(*(escape(row[key]) for key, _heading in scores_text.COLUMNS))
        out.print(table)
        out.print(section["summary"], markup=False)
        out.print(section["qualifier"], markup=False)
    out.print(scores_text.rating_text(result, lang), markup=False)
    if scores_text.forms_text(result):
        out.print(scores_text.forms_text(result), markup=False)
    for problem in result.get("form_problems", []):
        out.print(said(N_("check the ratings: {problem}"), lang).format(problem=problem),
                  markup=False)
    out.print(said(result["disclaimer"], lang), style="italic", markup=False)


def cohort(
    study: Study,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    stability: Annotated[bool, typer.Option(
        "--stability/--no-stability",
        help="Each sign's stability (about 0.1 s per coding; --no-stability for large "
        "cohorts).")] = True,
    raw_cells: RawCells = False,
    one_per_session: OnePerSession = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="duckdb: over Parquet copies of the events, kept current under the "
        "data folder (fast; the default); pandas: events read from the database (the "
        "reference path). Both give the same table.")] = "duckdb",
    data_dir: DataDir = None,
) -> None:
    """One row per study coding (training and reliability codings are left out; one coding
    per session unless --one-per-session off): each sign's
    values, state, reason, flag and stability, the hostility qualifier, the summary, dimension
    counts, level. Codings that cannot be scored are left out and listed with the reason and
    the fix. Says which engine computed it (docs/scale.md)."""
    from samspill.interop.tabular import format_of_name, write_table  # pyarrow, pyreadstat: on use
    from samspill.services import studies
    from samspill.services.columnar_cohort import ENGINES, cohort_with

    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}'", fix="use --engine duckdb or --engine pandas")

    pooled = pooling_of(one_per_session)
    named = format_of_name(out.name)
    if named not in (None, "csv"):
        raise InputError(f"samspill cohort writes CSV, and {out.name} is named as a .{named} file",
                         fix=f"use samspill export cohort --out {out.name}, or name the file "
                         "….csv")
    with unit_of_work(data_dir) as (db, database), progress_bar("cohort") as report:
        found = cohort_with(engine, db, studies.get_study(db, study),
                            root=database.settings.columnar_dir, stability=stability,
                            progress=report, pooled=pooled)
    try:
        # The export's CSV: flags 0/1 as docs/variables.md documents, formulas neutralised.
        out.write_bytes(write_table(found.table, "csv", raw_cells=raw_cells))
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}",
                         fix="check the folder exists and is writable") from None
    console.print(f"wrote {len(found.table)} rows to {out} (engine: {engine})", markup=False)
    print_excluded(found.excluded)


def relations(
    study: Study,
    pair: Annotated[list[str] | None, typer.Option(
        "--pair", help="Two cohort columns as X:Y, e.g. eas_nonhostility:hostile_rate_per_10min; "
        "repeat for more (default: each rating form's scales against the signs).")] = None,
    confidence: Annotated[float, typer.Option(
        "--confidence", help="Level of the confidence intervals.")] = 0.95,
    output: Annotated[str, typer.Option("--format", help="json or table.")] = "table",
    data_dir: DataDir = None,
) -> None:
    """Relations between instruments in the study's cohort: n, Pearson's r and Spearman's rho
    with Fisher-z confidence intervals for pairs of cohort columns (see docs/schemes.md)."""
    from samspill.cli.tables import records
    from samspill.core import numbers
    from samspill.services import studies
    from samspill.services.relations import study_relations

    if output not in ("json", "table"):
        raise InputError(f"unknown format '{output}'", fix="use --format json or table")
    pairs = [_pair_of(text) for text in pair or []]
    with unit_of_work(data_dir) as (db, _):
        found = study_relations(db, studies.get_study(db, study), pairs, confidence=confidence)
    if output == "json":
        typer.echo(json.dumps(records(found), indent=2, ensure_ascii=False))
        return
    typer.echo(found.to_string(index=False, float_format=numbers.number))


def _pair_of(text: str) -> tuple[str, str]:
    x, sep, y = text.partition(":")
    if not sep or not x.strip() or not y.strip():
        raise InputError(f"--pair '{text}' is not two columns X:Y",
                         fix="write e.g. --pair eas_nonhostility:hostile_rate_per_10min")
    return x.strip(), y.strip()


def simulate(
    study: Study,
    # Spelled out, not read from core.simulate (numpy and pandas); a test keeps them equal.
    style: Annotated[str, typer.Option(
        "--style", help="One of sensitive, withdrawn, hostile, frightened.")],
    sessions: Annotated[int, typer.Option("--sessions", min=1, max=10_000)] = 10,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    procedure: Annotated[str, typer.Option("--procedure", help="ssp or free-play.")] = "free-play",
    data_dir: DataDir = None,
) -> None:
    """Add simulated sessions with known ground truth to a study."""
    from samspill.services import studies
    from samspill.services.simulation import add_simulated_sessions
    if procedure not in ("ssp", "free-play"):
        raise InputError(f"unknown procedure '{procedure}'", fix="use ssp or free-play")
    with unit_of_work(data_dir) as (db, _):
        added = add_simulated_sessions(
            db,
            study=studies.get_study(db, study),
            style=style,
            sessions=sessions,
            seed=seed,
            procedure=procedure,
        )  # type: ignore[arg-type]
        names = [s.name for s in added]
    console.print(f"added {len(names)} simulated session(s): {names[0]} …")
