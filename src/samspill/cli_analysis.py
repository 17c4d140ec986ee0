"""`samspill sequential …` and `samspill outcomes …`: the analysis core on CSV files.

Events CSV: columns ``subject``, ``code``, ``onset_ms``, ``offset_ms`` (empty for points) and
optionally ``session``. Outcome and predictor CSVs: one row per dyad, keyed by a dyad column.
Every problem raises a :class:`~samspill.core.errors.SamspillError`; the main CLI prints it on
one line and exits 2. See ``docs/sequential.md`` and ``docs/outcomes.md``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from samspill.core.errors import EventError, InputError
from samspill.core.outcomes import HierarchicalResult, outcome_analysis
from samspill.core.sequential import (
    bid_answers,
    caregiver_answer_after_bid,
    lag_sequential,
    lag_table_tests,
    time_window,
    window_hits,
)

EVENT_CSV_COLUMNS = ("subject", "code", "onset_ms", "offset_ms")

sequential_app = typer.Typer(help="Lag-sequential and time-window analysis of an events CSV.",
                             no_args_is_help=True)
outcomes_app = typer.Typer(
    help="Hierarchical regression of dyad outcomes on predictor blocks.",
    # The group's own callback is the command: let its options follow the file argument.
    context_settings={"allow_interspersed_args": True},
)


class Format(StrEnum):
    json = "json"
    table = "table"


EventsFile = Annotated[Path, typer.Argument(
    help="CSV with subject, code, onset_ms, offset_ms and optionally session.")]
SessionCol = Annotated[str | None, typer.Option(
    "--session-col", help="Column keying sessions (default: 'session' when present).")]
FormatOpt = Annotated[Format, typer.Option("--format", help="json or table.")]
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
) -> None:
    """Lag-k transition tables: counts, expected, P(B|A), adjusted residuals, Yule's Q."""
    events, session = _read_events(file, session_col)
    if only is not None:
        events = events[events["code"].isin(_codes(only, "--only"))]
    analyse = lag_table_tests if tablewise else lag_sequential
    _print(analyse(events, lags=parse_lags(lag), session_col=session,
                   allow_repeats=not no_repeats), fmt)


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
) -> None:
    """Does a target onset fall within W ms after a given onset more often than chance?"""
    events, session = _read_events(file, session_col)
    given_codes, target_codes = _codes(given, "--given"), _codes(target, "--target")
    if per_event:
        out = window_hits(events, given=given_codes, target=target_codes, window_ms=window_ms,
                          session_col=session, given_subject=given_subject,
                          target_subject=target_subject)
    else:
        out = time_window(events, given=given_codes, target=target_codes, window_ms=window_ms,
                          unit_ms=unit_ms, session_col=session, given_subject=given_subject,
                          target_subject=target_subject)
    _print(out, fmt)


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
) -> None:
    """The built-in query: does a caregiver answer follow a child bid within W?"""
    events, session = _read_events(file, session_col)
    answers = _codes(answer_codes, "--answer-codes")
    if per_event:
        _print(bid_answers(events, window_ms=window_ms, answer_codes=answers,
                           session_col=session), fmt)
        return
    _print(caregiver_answer_after_bid(events, window_ms=window_ms, unit_ms=unit_ms,
                                      answer_codes=answers, session_col=session), fmt)


def outcomes_command(
    file: Annotated[Path, typer.Argument(help="Outcome CSV, one row per dyad.")],
    predictors: Annotated[Path, typer.Option("--predictors", help="Predictor CSV per dyad.")],
    outcome: Annotated[str, typer.Option("--outcome", help="The outcome column.")],
    step: Annotated[list[str], typer.Option(
        "--step", help="Predictors entered at one step, comma-separated; repeat per step.")],
    dyad_col: Annotated[str, typer.Option("--dyad-col", help="The dyad code column.")] = "dyad",
    confidence: Annotated[float, typer.Option(
        "--confidence", help="Level of the betas' confidence intervals.")] = 0.95,
    fmt: FormatOpt = Format.table,
) -> None:
    """Hierarchical OLS: R² and R² change per step, standardised betas, excluded dyads."""
    steps = [_codes(s, "--step") for s in step]
    result = outcome_analysis(_read_table(file, dyad_col), _read_table(predictors, dyad_col),
                              outcome=outcome, steps=steps, dyad_col=dyad_col,
                              confidence=confidence)
    _print_outcomes(result, fmt)


outcomes_app.callback(invoke_without_command=True)(outcomes_command)


def parse_lags(text: str) -> list[int]:
    """``"2"`` → [2]; ``"1-3"`` → [1, 2, 3]; ``"1,3"`` → [1, 3]."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise InputError(f"--lag {text!r} is not a lag, range or list",
                         fix="give e.g. --lag 1, --lag 1-3 or --lag 1,2") from None


def _codes(text: str, option: str) -> list[str]:
    codes = [c.strip() for c in text.split(",") if c.strip()]
    if not codes:
        raise InputError(f"{option} names no code", fix=f"give {option} CODE[,CODE…]")
    return codes


def _read_csv(file: Path, text_columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        return pd.read_csv(file, dtype=dict.fromkeys(text_columns, str), encoding="utf-8-sig",
                           skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read {file}: {exc}".rstrip(),
                         fix="check the path, and save the file as UTF-8 CSV") from None


def _read_table(file: Path, dyad_col: str) -> pd.DataFrame:
    return _read_csv(file, (dyad_col,))


def _read_events(file: Path, session_col: str | None) -> tuple[pd.DataFrame, str | None]:
    session = session_col or "session"
    frame = _read_csv(file, (session, "subject", "code"))
    missing = [c for c in EVENT_CSV_COLUMNS if c not in frame.columns]
    if session_col and session_col not in frame.columns:
        missing.append(session_col)
    if missing:
        raise InputError(f"{file.name} has no column {', '.join(missing)}",
                         fix=f"give a header with {', '.join(EVENT_CSV_COLUMNS)} (and session)")
    for column in ("onset_ms", "offset_ms"):
        frame[column] = _whole_ms(frame[column], column, file.name,
                                  required=column == "onset_ms")
    late = frame["offset_ms"].notna() & (frame["offset_ms"] < frame["onset_ms"])
    if late.any():
        raise EventError("offset_ms comes before onset_ms", where=_line(file.name, late),
                         fix="swap or correct the times")
    return frame, (session if session in frame.columns else None)


def _whole_ms(values: pd.Series, column: str, name: str, *, required: bool) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (values.notna() & numbers.isna()) | (numbers < 0) | (numbers % 1 > 0)
    if required:
        bad |= values.isna()
    if bad.any():
        shown = values[bad].iloc[0]
        raise EventError(f"{column} {shown!r} is not a whole number of ms ≥ 0",
                         where=_line(name, bad), fix=f"give {column} in whole milliseconds")
    return numbers.astype("Int64")


def _line(name: str, mask: pd.Series) -> str:
    return f"{name} line {int(np.flatnonzero(mask.to_numpy())[0]) + 2}"


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return json.loads(frame.to_json(orient="records", double_precision=15))


def _print(frame: pd.DataFrame, fmt: Format) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(_records(frame), indent=2, ensure_ascii=False))
    else:
        typer.echo(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


def _print_outcomes(result: HierarchicalResult, fmt: Format) -> None:
    tables = {"steps": result.steps, "coefficients": result.coefficients,
              "excluded": result.excluded}
    if fmt is Format.json:
        body = {name: _records(table) for name, table in tables.items()} | {"n": result.n}
        typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    for name, table in tables.items():
        typer.echo(f"\n{name} (n = {result.n})" if name == "steps" else f"\n{name}")
        typer.echo("(none)" if table.empty else
                   table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
