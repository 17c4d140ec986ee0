"""A result table (lag-sequential, time window, agreement, outcome model, cohort) as a CSV,
XLSX or JSON file, with the pooled rows first: the one writer of the web pages' downloads and
the CLI's ``--out`` (issue 22).

CSV and XLSX text cells go through the formula-neutralising writer
(:mod:`samspill.interop.cells`). XLSX has one sheet with a frozen header row. JSON is a list of
records; an empty value is ``null`` and an infinite one (an odds ratio with bc = 0) the string
``"inf"`` or ``"-inf"``, which JSON cannot hold as a number.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any, Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from samspill.core.errors import N_, InputError
from samspill.interop.cells import neutralise_frame

ResultFormat = Literal["csv", "xlsx", "json"]
RESULT_FORMATS: tuple[ResultFormat, ...] = ("csv", "xlsx", "json")
MEDIA_TYPES: dict[ResultFormat, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
POOLED = "(pooled)"  # the session label of the core's summed tables
SESSION_COLUMNS = ("session", "observation")


def result_format(value: str, *, option: str = "format") -> ResultFormat:
    """``csv``, ``xlsx`` or ``json`` (any case), else a clear error."""
    fmt = value.strip().lower().lstrip(".")
    for known in RESULT_FORMATS:
        if fmt == known:
            return known
    raise InputError(
        N_("unknown {option} '{value}'"),
        fix=N_("use csv, xlsx or json"),
        params={"option": str(option), "value": str(value)},
    )


def result_format_of_name(name: str) -> ResultFormat:
    """The format a file name's extension says (``lag.XLSX`` → ``xlsx``), else a clear error."""
    dot = name.rfind(".")
    if dot <= 0:
        raise InputError(
            N_("'{name}' has no extension"),
            fix=N_("name the file .csv, .xlsx or .json"),
            params={"name": str(name)},
        )
    return result_format(name[dot + 1:], option="file extension")


def pooled_first(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its pooled rows (session ``(pooled)``) first, the rest in their order."""
    column = next((c for c in SESSION_COLUMNS if c in frame.columns), None)
    if column is None or frame.empty:
        return frame.reset_index(drop=True)
    pooled = frame[column].astype(str) == POOLED
    return pd.concat([frame[pooled], frame[~pooled]], ignore_index=True)


def write_result(frame: pd.DataFrame, fmt: ResultFormat, *, sheet: str = "result") -> bytes:
    """``frame`` as a file in ``fmt``, rows in the order given."""
    if fmt == "json":
        return json.dumps(_records(frame), ensure_ascii=False, indent=1).encode("utf-8")
    safe = neutralise_frame(frame)
    if fmt == "csv":
        text: str = safe.to_csv(index=False, lineterminator="\n")
        return text.encode("utf-8")
    return _xlsx(safe, sheet)


def _xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    # Write-only: a cohort's lag table (10,000 rows) takes a second, not twelve.
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet[:31])
    worksheet.freeze_panes = "A2"  # the header stays in view while scrolling
    worksheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        worksheet.append([_text_cell(worksheet, v) for v in map(_xlsx_cell, row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(worksheet: Any, value: object) -> object:
    """Text starting with ``=`` stays text, never a formula (the neutraliser has already put a
    ``'`` before such text; this holds even so)."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _plain(value: object) -> object:
    """A cell as a Python value: None for empty, numbers as int or float, the rest as is."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _xlsx_cell(value: object) -> object:
    value = _plain(value)
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, (pd.Timestamp, pd.Timedelta)):
        return str(value)
    return value


def _json_cell(value: object) -> object:
    value = _xlsx_cell(value)
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, (_json_cell(v) for v in row), strict=True))
            for row in frame.itertuples(index=False)]
