"""`samspill agreement …`: inter-coder agreement on CSV files, and on a study's stored codings.

``ratings`` reads one row per (target, rater) with a rating; ``events`` reads two codings with
columns ``subject, code, onset_ms, offset_ms`` (empty offset for point events), both through
:mod:`samspill.interop.events_csv`; ``codings`` prints the same statistics for a study's
finished codings. Every problem raises a :class:`~samspill.core.errors.SamspillError`; the main
CLI prints it on one line and exits 2. See ``docs/agreement.md``.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from samspill.cli.common import DataDir, Study, unit_of_work
from samspill.cli.tables import Format, FormatOpt

if TYPE_CHECKING:
    import pandas as pd

    from samspill.core.reliability.summary import EventAgreement
    from samspill.services.agreement import AgreementReport

agreement_app = typer.Typer(help="Inter-coder agreement on ratings and event codings (CSV).",
                            no_args_is_help=True)


class Level(StrEnum):
    nominal = "nominal"
    ordinal = "ordinal"
    interval = "interval"


def _number(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


@agreement_app.command("ratings")
def ratings_command(
    file: Annotated[Path, typer.Argument(help="CSV: one row per target and rater.")],
    target: Annotated[str, typer.Option("--target", help="Column naming what is rated.")],
    rater: Annotated[str, typer.Option("--rater", help="Column naming the rater.")],
    rating: Annotated[str, typer.Option("--rating", help="Column holding the rating.")],
    level: Annotated[Level, typer.Option("--level", help="Level for Krippendorff's α.")]
    = Level.interval,
    fmt: FormatOpt = Format.table,
) -> None:
    """ICC (six forms, 95 % CI), Krippendorff's α, % agreement; weighted κ for two raters.

    With --level nominal, ratings may be text labels; ICC and weighted κ then need numbers
    and are left out (an empty ICC list).
    """
    from samspill.core.reliability.summary import rating_agreement
    from samspill.interop.events_csv import AGREEMENT_CSV, read_csv_table

    # subject and code stay text, as in the events files the same reader reads
    frame = read_csv_table(file, AGREEMENT_CSV, text=("subject", "code"),
                           columns=(target, rater, rating))
    result = rating_agreement(frame, target=target, rater=rater, rating=rating,
                              level=level.value)
    if fmt is Format.table:
        for title, table in (("ICC", result.icc if len(result.icc) else None),
                             ("Krippendorff's alpha", result.alpha),
                             ("Percent agreement", result.percent),
                             ("Cohen's kappa", result.kappa)):
            if table is not None:
                _echo_table(title, table)
        return
    body: dict[str, Any] = {
        "icc": [{"type": r.type, "icc": _number(r.icc),
                 "ci95": [_number(r.ci95_low), _number(r.ci95_high)]}
                for r in result.icc.itertuples(index=False)],
        "krippendorff_alpha": _number(result.alpha["alpha"].iloc[0]),
        "percent_agreement": _number(result.percent["percent"].iloc[0]),
    }
    if result.kappa is not None:
        by = result.kappa.set_index("weights")["kappa"]
        body["weighted_kappa"] = {"linear": _number(by["linear"]),
                                  "quadratic": _number(by["quadratic"])}
    typer.echo(json.dumps(body, indent=2))


@agreement_app.command("events")
def events_command(
    coding_a: Annotated[Path, typer.Argument(help="Coder A's events CSV.")],
    coding_b: Annotated[Path, typer.Argument(help="Coder B's events CSV.")],
    unit_ms: Annotated[int, typer.Option("--unit-ms", help="Time unit Δ in ms.")],
    tolerance_ms: Annotated[int, typer.Option(
        "--tolerance-ms", help="Tolerance τ in ms for time-unit κ (a multiple of Δ).")] = 0,
    event_tolerance_ms: Annotated[int | None, typer.Option(
        "--event-tolerance-ms", help="Onset tolerance for event matching "
        "(default: the larger of τ and Δ).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Time-unit κ (with tolerance), per-code κ, event κ and the confusion matrix."""
    from samspill.core.reliability.summary import event_agreement
    from samspill.interop.events_csv import AGREEMENT_CSV, read_events_table

    a, _ = read_events_table(coding_a, AGREEMENT_CSV)
    b, _ = read_events_table(coding_b, AGREEMENT_CSV)
    result = event_agreement(a, b, unit_ms=unit_ms, tolerance_ms=tolerance_ms,
                             event_tolerance_ms=event_tolerance_ms)
    if fmt is Format.table:
        _echo_events_tables(result)
        return
    body: dict[str, Any] = {"time_unit_kappa": _number(result.kappa["kappa"].iloc[-1])}
    if result.tolerance is not None:
        pooled = result.tolerance.iloc[-1]
        body["time_unit_kappa_tolerance"] = {
            "a_reference": _number(pooled["kappa_a_reference"]),
            "b_reference": _number(pooled["kappa_b_reference"]),
            "mean": _number(pooled["kappa_mean"])}
    body["per_code"] = [{"code": r.code, "kappa": _number(r.kappa)}
                        for r in result.per_code.itertuples(index=False)]
    body["event_kappa"] = _number(result.event_kappa["kappa"].iloc[0])
    body["confusion"] = {"labels": list(result.confusion.index),
                         "counts": result.confusion.to_numpy().astype(int).tolist()}
    typer.echo(json.dumps(body, indent=2))


@agreement_app.command("codings")
def codings_command(
    study: Study,
    session: Annotated[str | None, typer.Option(
        "--session", help="One session (default: every session coded by two or more).")] = None,
    unit_ms: Annotated[int | None, typer.Option(
        "--unit-ms", help="Time unit Δ in ms (default: the study's agreement_unit_ms).")] = None,
    tolerance_ms: Annotated[int | None, typer.Option(
        "--tolerance-ms", help="Tolerance τ in ms (default: the study's "
        "agreement_tolerance_ms).")] = None,
    fmt: FormatOpt = Format.table,
    data_dir: DataDir = None,
) -> None:
    """Agreement among the finished codings of a study: time-unit κ per pair (with tolerance),
    event κ, per code, confusion, level and disrupted, the five signs (states, values, flags)
    and the hostility qualifier, the pairwise matrix."""
    from samspill.services import studies
    from samspill.services.agreement import report_json, study_agreement

    with unit_of_work(data_dir) as (db, _):
        report = study_agreement(db, studies.get_study(db, study), session_name=session,
                                 unit_ms=unit_ms, tolerance_ms=tolerance_ms)
    if fmt is Format.json:
        typer.echo(json.dumps(report_json(report), indent=2, ensure_ascii=False))
        return
    _echo_report_tables(report)


def _echo_table(title: str, table: pd.DataFrame) -> None:
    typer.echo(f"\n{title}")
    typer.echo(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def _echo_events_tables(result: EventAgreement) -> None:
    _echo_table("Time-unit kappa", result.kappa)
    if result.tolerance is not None:
        _echo_table("Time-unit kappa with tolerance", result.tolerance)
    _echo_table("Per-code kappa", result.per_code)
    _echo_table("Event kappa (onset matching)", result.event_kappa)
    _echo_table("Point events", result.points)
    typer.echo("\nConfusion matrix (rows: coder A, columns: coder B)")
    typer.echo(result.confusion.to_string())


def _echo_report_tables(report: AgreementReport) -> None:
    def show(title: str, table: pd.DataFrame) -> None:
        typer.echo(f"\n{title}")
        typer.echo(table.to_string(index=False, float_format=lambda v: f"{v:.3f}")
                   if len(table) else "(none)")

    typer.echo(f"unit {report.unit_ms} ms, tolerance {report.tolerance_ms} ms")
    show("Pairs", report.pairs)
    typer.echo("\nPairwise time-unit kappa")
    typer.echo(report.pairwise.to_string(float_format=lambda v: f"{v:.3f}"))
    show("Per code", report.per_code)
    show("Ratings", report.ratings)
    show("The five signs and the hostility qualifier", report.indicators)
    for (session, a, b), table in report.confusion.items():
        typer.echo(f"\nConfusion matrix {session}: {a} (rows) x {b} (columns)")
        typer.echo(table.to_string())
