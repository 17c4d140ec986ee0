"""The ``--format json|table`` option of the analysis commands, and printing a result table
either way: JSON records (15 significant digits) or aligned text (4 significant digits)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from samspill.core import numbers

if TYPE_CHECKING:
    import pandas as pd


class Format(StrEnum):
    json = "json"
    table = "table"


FormatOpt = Annotated[Format, typer.Option("--format", help="json or table.")]


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return json.loads(frame.to_json(orient="records", double_precision=15))


def print_table(frame: pd.DataFrame, fmt: Format) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(records(frame), indent=2, ensure_ascii=False))
    else:
        typer.echo(frame.to_string(index=False, float_format=numbers.number))
