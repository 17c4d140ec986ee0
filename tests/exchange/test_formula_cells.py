"""Spreadsheet formula injection (issue 21, item 10): text cells starting with = + - @ (or a
tab or carriage return) get a leading ' in every CSV and XLSX export, web and command line;
numbers stay numbers; ``--raw-cells`` and the web form's box keep the text as stored."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from samspill.cli import app
from samspill.core.vignette import vignette_events
from samspill.interop.cells import neutralise, restore
from samspill.interop.tabular import write_table
from samspill.services import codings
from samspill.store.models import Coding
from tests.exchange.conftest import Lab, finished, login
from tests.exchange.test_web_exchange import _download

ATTACK = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", [ATTACK, "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert restore("'" + text) == text


@pytest.mark.parametrize("value", [-3, -2.5, "-3", "-0.25", "+4", "plain", "", None, "a=b"])
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"comment": [ATTACK, "fine"], "level": [-3.5, 2.0], "n": [-1, 4]})


def test_csv_and_xlsx_tables_are_neutralised_and_numbers_stay_numbers() -> None:
    text = write_table(_frame(), "csv").decode()
    assert f"\"'{ATTACK}\"" in text or f"'{ATTACK}" in text
    assert ",-3.5,-1" in text
    sheet = openpyxl.load_workbook(io.BytesIO(write_table(_frame(), "xlsx"))).active
    assert sheet["A2"].value == "'" + ATTACK and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -3.5 and sheet["C2"].value == -1
    raw = write_table(_frame(), "csv", raw_cells=True).decode()
    assert "'=" not in raw and ATTACK in raw


def _plant(lab: Lab) -> None:
    """A coder's coding of v1 gets a comment that is a formula."""
    with lab.database.session() as db:
        coding = db.get(Coding, lab.coding_ids["cod"])
        events = codings.coding_events(db, coding)
        first = events[0].model_copy(update={"comment": ATTACK})
        codings.replace_events(db, coding=coding, events=[first, *events[1:]])


def test_the_web_events_export_neutralises_unless_raw_cells_is_ticked(lab: Lab, web) -> None:
    _plant(lab)
    csrf = login(web, "own")
    for raw, expected in (("", "'" + ATTACK), ("true", ATTACK)):
        form = {"csrf_token": csrf, "what": "events", "format": "csv", "session": "v1"}
        started = web.post("/studies/lab/export", data={**form, **({"raw_cells": raw} if raw
                                                                   else {})})
        table = pd.read_csv(io.BytesIO(_download(web, finished(web, started, "own"))))
        assert expected in set(table["comment"].dropna())


def test_both_cli_event_exports_neutralise_unless_raw_cells(lab: Lab, tmp_path: Path) -> None:
    _plant(lab)
    runner, data = CliRunner(), str(lab.database.settings.data_dir)
    lab.database.dispose()
    one = tmp_path / "one.csv"
    long_table = tmp_path / "long.csv"
    for extra in ([], ["--raw-cells"]):
        for args in (
            ["events", "export", "--study", "lab", "--session", "v1", "--coder", "cod",
             "--out", str(one)],
            ["export", "events", "--study", "lab", "--session", "v1", "--out", str(long_table)],
        ):
            result = runner.invoke(app, [*args, *extra, "--data-dir", data])
            assert result.exit_code == 0, result.output
        comments = set(pd.read_csv(one)["comment"].dropna()) | set(
            pd.read_csv(long_table)["comment"].dropna())
        assert comments & {ATTACK, "'" + ATTACK} == {ATTACK if extra else "'" + ATTACK}


def test_a_neutralised_events_csv_imports_back_as_typed(lab: Lab, tmp_path: Path) -> None:
    from samspill.interop.events_csv import read_events_csv, write_events_csv

    event = vignette_events()[0].model_copy(update={"comment": ATTACK, "id": str(uuid.uuid4())})
    with lab.database.session() as db:
        scheme = codings.coding_scheme(db.get(Coding, lab.coding_ids["own"]))
    back = read_events_csv(write_events_csv([event]), scheme=scheme)
    assert back[0].comment == ATTACK
