"""`samspill outcomes`: hierarchical regression of dyad outcomes on predictor blocks, from CSV
files with one row per dyad, keyed by a dyad column. Every problem raises a
:class:`~samspill.core.errors.SamspillError`; the main CLI prints it on one line and exits 2.
See ``docs/outcomes.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from samspill.cli.common import code_list
from samspill.cli.tables import Format, FormatOpt, records
from samspill.core import numbers

if TYPE_CHECKING:
    import pandas as pd

    from samspill.core.outcomes import HierarchicalResult

outcomes_app = typer.Typer(
    help="Hierarchical regression of dyad outcomes on predictor blocks.",
    # The group's own callback is the command: let its options follow the file argument.
    context_settings={"allow_interspersed_args": True},
)


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
    from samspill.core.outcomes import outcome_analysis

    steps = [code_list(s, "--step") for s in step]
    result = outcome_analysis(_read_table(file, dyad_col), _read_table(predictors, dyad_col),
                              outcome=outcome, steps=steps, dyad_col=dyad_col,
                              confidence=confidence)
    _print_outcomes(result, fmt)


outcomes_app.callback(invoke_without_command=True)(outcomes_command)


def _read_table(file: Path, dyad_col: str) -> pd.DataFrame:
    from samspill.interop.events_csv import ANALYSIS_CSV, read_csv_table

    return read_csv_table(file, ANALYSIS_CSV, text=(dyad_col,))


def _print_outcomes(result: HierarchicalResult, fmt: Format) -> None:
    tables = {"steps": result.steps, "coefficients": result.coefficients,
              "excluded": result.excluded}
    if fmt is Format.json:
        body = {name: records(table) for name, table in tables.items()} | {"n": result.n}
        typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    for name, table in tables.items():
        typer.echo(f"\n{name} (n = {result.n})" if name == "steps" else f"\n{name}")
        typer.echo("(none)" if table.empty else
                   table.to_string(index=False, float_format=numbers.number))
