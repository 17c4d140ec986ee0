"""`samspill agreement codings`: the agreement statistics on a study's stored codings.

Registered on the ``agreement`` group of :mod:`samspill.cli_agreement` (the file commands), so
``samspill agreement events`` and ``samspill agreement codings`` print the same statistics.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from samspill.cli.common import DataDir, Study, unit_of_work
from samspill.cli_agreement import Format, FormatOpt, agreement_app
from samspill.services import studies
from samspill.services.agreement import AgreementReport, report_json, study_agreement


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
    with unit_of_work(data_dir) as (db, _):
        report = study_agreement(db, studies.get_study(db, study), session_name=session,
                                 unit_ms=unit_ms, tolerance_ms=tolerance_ms)
    if fmt is Format.json:
        typer.echo(json.dumps(report_json(report), indent=2, ensure_ascii=False))
        return
    _echo_tables(report)


def _echo_tables(report: AgreementReport) -> None:
    def show(title: str, table) -> None:
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
