"""`samspill sequential …`: lag-sequential and time-window analysis of an events CSV, and the
same analyses on a study's stored codings (``sequential study``).

Events CSV: columns ``subject``, ``code``, ``onset_ms``, ``offset_ms`` (empty for points) and
optionally ``session``, read by :func:`samspill.interop.events_csv.read_events_table`. Every
problem raises a :class:`~samspill.core.errors.SamspillError`; the main CLI prints it on one
line and exits 2. See ``docs/sequential.md``.

Outcome models stay file-based (``samspill outcomes``): export the per-dyad predictors with
``samspill export predictors`` and pass that file as ``--predictors``; see ``docs/exports.md``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from samspill.cli.common import (
    DataDir,
    OnePerSession,
    Study,
    code_list,
    pooling_of,
    unit_of_work,
)
from samspill.cli.tables import Format, FormatOpt, OutOpt, emit
from samspill.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

sequential_app = typer.Typer(help="Lag-sequential and time-window analysis of an events CSV.",
                             no_args_is_help=True)

EventsFile = Annotated[Path, typer.Argument(
    help="CSV with subject, code, onset_ms, offset_ms and optionally session.")]
SessionCol = Annotated[str | None, typer.Option(
    "--session-col", help="Column keying sessions (default: 'session' when present).")]
UnitMs = Annotated[int, typer.Option("--unit-ms", help="Time unit of the tally, ms.")]
PerEvent = Annotated[bool, typer.Option(
    "--per-event", help="List each given onset (bid) and its first target (answer) instead.")]


@sequential_app.command("lag")
def lag_command(
    file: EventsFile,
    lag: Annotated[str, typer.Option("--lag", help="A lag (2), a range (1-3) or a list (1,2).")]
    = "1",
    session_col: SessionCol = None,
    no_repeats: Annotated[bool, typer.Option(
        "--no-repeats", help="Codes cannot follow themselves: lag-1 diagonal is a structural "
                             "zero.")] = False,
    only: Annotated[str | None, typer.Option(
        "--only", help="Sequence only these codes (comma-separated); drop the other events.")]
    = None,
    tablewise: Annotated[bool, typer.Option(
        "--tablewise", help="Print each table's χ² and G² test of independence instead.")]
    = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Lag-k transition tables: counts, expected, P(B|A), adjusted residuals, Yule's Q."""
    from samspill.core.sequential import lag_sequential, lag_table_tests, parse_lags

    events, session = _read_events(file, session_col)
    if only is not None:
        events = events[events["code"].isin(code_list(only, "--only"))]
    analyse = lag_table_tests if tablewise else lag_sequential
    emit(analyse(events, lags=parse_lags(lag), session_col=session,
                 allow_repeats=not no_repeats), fmt, out)


@sequential_app.command("window")
def window_command(
    file: EventsFile,
    given: Annotated[str, typer.Option("--given", help="Given code(s), comma-separated.")],
    target: Annotated[str, typer.Option("--target", help="Target code(s), comma-separated.")],
    window_ms: Annotated[int, typer.Option("--window-ms", help="Window W after each given "
                                                               "onset, ms.")],
    unit_ms: UnitMs = 1000,
    given_subject: Annotated[str | None, typer.Option("--given-subject")] = None,
    target_subject: Annotated[str | None, typer.Option("--target-subject")] = None,
    session_col: SessionCol = None,
    per_event: PerEvent = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Does a target onset fall within W ms after a given onset more often than chance?"""
    from samspill.core.sequential import time_window, window_hits

    events, session = _read_events(file, session_col)
    given_codes, target_codes = code_list(given, "--given"), code_list(target, "--target")
    if per_event:
        table = window_hits(events, given=given_codes, target=target_codes, window_ms=window_ms,
                          session_col=session, given_subject=given_subject,
                          target_subject=target_subject)
    else:
        table = time_window(events, given=given_codes, target=target_codes, window_ms=window_ms,
                          unit_ms=unit_ms, session_col=session, given_subject=given_subject,
                          target_subject=target_subject)
    emit(table, fmt, out)


@sequential_app.command("withdrawal")
def withdrawal_command(
    file: EventsFile,
    window_ms: Annotated[int, typer.Option("--window-ms", help="Window W after each bid, ms.")]
    = 10_000,
    unit_ms: UnitMs = 1000,
    answer_codes: Annotated[str, typer.Option("--answer-codes", help="Caregiver answer codes.")]
    = "respond,initiate,hold",
    session_col: SessionCol = None,
    per_event: PerEvent = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """The built-in query: does a caregiver answer follow a child bid within W?"""
    from samspill.core.sequential import bid_answers, caregiver_answer_after_bid

    events, session = _read_events(file, session_col)
    answers = code_list(answer_codes, "--answer-codes")
    if per_event:
        emit(bid_answers(events, window_ms=window_ms, answer_codes=answers,
                         session_col=session), fmt, out)
        return
    emit(caregiver_answer_after_bid(events, window_ms=window_ms, unit_ms=unit_ms,
                                    answer_codes=answers, session_col=session), fmt, out)


class Query(StrEnum):
    withdrawal = "withdrawal"
    lag = "lag"


@sequential_app.command("study")
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
    only: Annotated[str | None, typer.Option(
        "--only", help="For --query lag: sequence only these codes (comma-separated).")]
    = None,
    no_repeats: Annotated[bool, typer.Option(
        "--no-repeats", help="For --query lag: codes cannot follow themselves.")] = False,
    tablewise: Annotated[bool, typer.Option(
        "--tablewise", help="For --query lag: each table's χ² and G² test instead.")] = False,
    one_per_session: OnePerSession = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Sequential analysis of the study's stored codings, one sequence per coding taken (one
    per session unless --one-per-session off) and pooled (the web's Analyses page runs the
    same)."""
    from samspill.core.sequential import parse_lags
    from samspill.services import analysis, exports, studies

    answers = [c.strip() for c in answer_codes.split(",") if c.strip()]
    if not answers:
        raise InputError("--answer-codes names no code", fix="give e.g. respond,initiate,hold")
    pooled = pooling_of(one_per_session)
    with unit_of_work(data_dir) as (db, _):
        chosen = exports.choose_codings(db, studies.get_study(db, study), session=session,
                                        coder=coder)
        if query is Query.lag:
            table = analysis.lag_analysis(
                db, chosen, lags=parse_lags(lag), allow_repeats=not no_repeats,
                only=code_list(only, "--only") if only is not None else None,
                tablewise=tablewise, pooled=pooled)
        else:
            table = analysis.withdrawal_query(db, chosen, window_ms=window_ms, unit_ms=unit_ms,
                                              answer_codes=answers, per_event=per_event,
                                              pooled=pooled)
    emit(table, fmt, out)


def _read_events(file: Path, session_col: str | None) -> tuple[pd.DataFrame, str | None]:
    from samspill.interop.events_csv import ANALYSIS_CSV, read_events_table

    return read_events_table(file, ANALYSIS_CSV, session_col=session_col)
