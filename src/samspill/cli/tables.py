"""The ``--format json|table`` option of the analysis commands, and printing a result table
either way: JSON records (15 significant digits) or aligned text (4 significant digits)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from samspill.core import numbers
from samspill.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


class Format(StrEnum):
    json = "json"
    table = "table"


FormatOpt = Annotated[Format, typer.Option("--format", help="json or table.")]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", help="Write the table to this file instead (.csv, .xlsx or .json), pooled rows "
                  "first, as the web page's downloads.")]


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return json.loads(frame.to_json(orient="records", double_precision=15))


def print_table(frame: pd.DataFrame, fmt: Format) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(records(frame), indent=2, ensure_ascii=False))
    else:
        typer.echo(frame.to_string(index=False, float_format=numbers.number))


def emit(frame: pd.DataFrame, fmt: Format, out: Path | None) -> None:
    """Print the table, or with ``--out`` write it (pooled rows first) and say where."""
    if out is None:
        print_table(frame, fmt)
        return
    from samspill.interop.result_files import pooled_first, result_format_of_name, write_result

    body = write_result(pooled_first(frame), result_format_of_name(out.name))
    try:
        out.write_bytes(body)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}",
                         fix="check the folder exists and is writable") from None
    typer.echo(f"{len(frame)} rows written to {out}")
