"""Result tables as files (issue 22): the same rows in CSV, XLSX and JSON, pooled rows first,
formula text neutralised, a frozen header, empty and infinite values spelled out."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest

from samspill.core.errors import InputError
from samspill.interop.result_files import (
    pooled_first,
    result_format,
    result_format_of_name,
    write_result,
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "session": ["01", "02", "(pooled)", "=cmd|' /C calc'!A0"],
        "lag": [1, 1, 1, 2],
        "count": [6320.0, float("nan"), float("inf"), -3.5],
        "followed": [True, False, True, False],
    })


def test_pooled_rows_come_first_and_the_rest_keep_their_order() -> None:
    ordered = pooled_first(_frame())
    assert list(ordered["session"]) == ["(pooled)", "01", "02", "=cmd|' /C calc'!A0"]
    no_session = pd.DataFrame({"x": [2, 1]})
    assert list(pooled_first(no_session)["x"]) == [2, 1]


def test_csv_xlsx_and_json_carry_the_same_rows() -> None:
    frame = pooled_first(_frame())
    rows_csv = list(csv.DictReader(io.StringIO(write_result(frame, "csv").decode())))
    rows_json = json.loads(write_result(frame, "json"))
    sheet = openpyxl.load_workbook(io.BytesIO(write_result(frame, "xlsx"))).active
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == list(frame.columns) == list(rows_json[0]) == list(rows_csv[0])
    assert sheet.freeze_panes == "A2"
    sessions = ["(pooled)", "01", "02"]
    assert [r["session"] for r in rows_csv][:3] == sessions
    assert [r["session"] for r in rows_json][:3] == sessions
    assert [r[0] for r in body][:3] == sessions
    # Values: a count stays a number, empty is null / an empty cell, ∞ is spelled out.
    assert [r["count"] for r in rows_json] == ["inf", 6320.0, None, -3.5]
    assert [r[2] for r in body] == ["inf", 6320, None, -3.5]
    assert [r["followed"] for r in rows_json] == [True, True, False, False]
    assert "e+" not in write_result(frame, "csv").decode()


def test_formula_text_is_neutralised_in_csv_and_xlsx_but_not_json() -> None:
    frame = _frame()
    text = write_result(frame, "csv").decode()
    assert "'=cmd" in text
    sheet = openpyxl.load_workbook(io.BytesIO(write_result(frame, "xlsx"))).active
    cell = sheet.cell(row=5, column=1)
    assert cell.value == "'=cmd|' /C calc'!A0" and cell.data_type == "s"
    assert json.loads(write_result(frame, "json"))[3]["session"] == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(("name", "fmt"), [("lag.csv", "csv"), ("out/Lag.XLSX", "xlsx"),
                                           ("a.b.json", "json")])
def test_the_extension_names_the_format(name: str, fmt: str) -> None:
    assert result_format_of_name(name) == fmt


@pytest.mark.parametrize("name", ["lag.sav", "lag", ".csv"])
def test_other_extensions_are_refused_with_the_fix(name: str) -> None:
    with pytest.raises(InputError) as refused:
        result_format_of_name(name)
    assert "csv" in refused.value.fix and "xlsx" in refused.value.fix


def test_a_format_is_read_in_any_case() -> None:
    assert result_format(" XLSX ") == "xlsx"
    with pytest.raises(InputError):
        result_format("parquet")
