"""`samspill sequential study`: the sequential analyses on a study's stored codings.

Outcome models stay file-based (``samspill outcomes`` takes the group's arguments itself):
export the per-dyad predictors with ``samspill export predictors`` and pass that file as
``--predictors``; see ``docs/exports.md``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import pandas as pd
import typer

from samspill.cli.common import DataDir, Study, unit_of_work
from samspill.cli_analysis import parse_lags
from samspill.core.errors import InputError
from samspill.services import analysis, exports, studies


class Query(StrEnum):
    withdrawal = "withdrawal"
    lag = "lag"


class Output(StrEnum):
    json = "json"
    table = "table"


def study_command(
    study: Study,
    query: Annotated[Query, typer.Option(
        "--query", help="withdrawal (bid → caregiver answer within W) or lag.")]
    = Query.withdrawal,
    session: Annotated[str | None, typer.Option("--session", help="Only this session.")] = None,
    coder: Annotated[str | None, typer.Option("--coder", help="Only this coder's codings.")]
    = None,
    window_ms: Annotated[int, typer.Option("--window-ms", help="Window W after each bid, ms.")]
    = 10_000,
    unit_ms: Annotated[int, typer.Option("--unit-ms", help="Time unit of the tally, ms.")] = 1000,
    answer_codes: Annotated[str, typer.Option("--answer-codes", help="Caregiver answer codes.")]
    = "respond,initiate,hold",
    per_event: Annotated[bool, typer.Option(
        "--per-event", help="List each bid and its first answer instead.")] = False,
    lag: Annotated[str, typer.Option("--lag", help="For --query lag: 2, 1-3 or 1,2.")] = "1",
    fmt: Annotated[Output, typer.Option("--format", help="json or table.")] = Output.table,
    data_dir: DataDir = None,
) -> None:
    """Sequential analysis of the study's stored codings, one sequence per coding and pooled."""
    answers = [c.strip() for c in answer_codes.split(",") if c.strip()]
    if not answers:
        raise InputError("--answer-codes names no code", fix="give e.g. respond,initiate,hold")
    with unit_of_work(data_dir) as (db, _):
        chosen = exports.choose_codings(db, studies.get_study(db, study), session=session,
                                        coder=coder)
        if query is Query.lag:
            table = analysis.lag_analysis(db, chosen, lags=parse_lags(lag))
        else:
            table = analysis.withdrawal_query(db, chosen, window_ms=window_ms, unit_ms=unit_ms,
                                              answer_codes=answers, per_event=per_event)
    _print(table, fmt)


def _print(frame: pd.DataFrame, fmt: Output) -> None:
    if fmt is Output.json:
        records = json.loads(frame.to_json(orient="records", double_precision=15))
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        typer.echo(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


def register(sequential_app: typer.Typer) -> None:
    """Add ``study`` to the file-based ``samspill sequential`` group."""
    sequential_app.command("study")(study_command)
