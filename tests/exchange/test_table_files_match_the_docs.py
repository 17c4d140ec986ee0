"""The SPSS and XLSX exports of a simulated study, read back with pyreadstat and openpyxl and
checked against ``docs/variables.md`` (issue 22): formats sized to the data, measurement
levels, labels with units, value labels and user-missing codes in the ``.sav``; flags as 0/1,
numbers as numbers, categories as the documented text and a frozen header in the ``.xlsx``.

The doc is generated from the registry and another test keeps it current, so these tests
check the files against what researchers read."""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from samspill.services import coding_ratings, exports, studies
from samspill.services.schemes import register_builtin_schemes
from samspill.services.simulation import add_simulated_sessions
from samspill.settings import Settings
from samspill.store.db import Database
from tests.factories import make_coded_session

DOCS = Path(__file__).resolve().parents[2] / "docs" / "variables.md"
TABLES = ("cohort", "events", "predictors")


@dataclass(frozen=True)
class Documented:
    """One row of a table in docs/variables.md."""

    name: str
    label: str
    kind: str
    unit: str
    values: str
    level: str
    format: str

    @property
    def spss_label(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def value_labels(self) -> dict[float, str]:
        """The SPSS value labels the doc states: a flag's ``0 = no; 1 = yes``, a category's
        ``(SPSS codes: 1 = in progress; …)``."""
        codes = re.search(r"\(SPSS codes: (.*)\)$", self.values)
        text = codes.group(1) if codes else self.values
        pairs = [p.split(" = ", 1) for p in text.split("; ") if p]
        return {float(code): label.removesuffix(" (user-missing)") for code, label in pairs}

    @property
    def user_missing(self) -> set[float]:
        return {float(m) for m in re.findall(r"(\d+) = [^;)]* \(user-missing\)", self.values)}

    @property
    def stored_text(self) -> set[str]:
        """A category's values as CSV and XLSX hold them."""
        return {v.strip() for v in self.values.split(" (SPSS codes:")[0].split(",")}


def _documented() -> dict[str, Documented]:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        name, label, kind, unit, values, level, spss_format = cells[:7]
        rows[name.strip("`")] = Documented(name.strip("`"), label, kind, unit, values, level,
                                           spss_format)
    return rows


DOCUMENTED = _documented()


@dataclass
class Exported:
    sav: dict[str, tuple[pd.DataFrame, Any]]
    xlsx: dict[str, openpyxl.Workbook]
    csv: dict[str, pd.DataFrame]


def _read_sav(body: bytes, **options: Any) -> tuple[pd.DataFrame, Any]:
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.write(handle, body)
    os.close(handle)
    try:
        return pyreadstat.read_sav(path, **options)
    finally:
        os.unlink(path)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    """A study of the rated vignette and six simulated sessions: two withdrawn dyads seen in a
    Strange Situation and in free play (so a dyad's flags can average to a share), and two
    hostile dyads; each table exported as SPSS, XLSX and CSV."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("files") / "data",
                        min_password_length=12)
    database = Database(settings)
    database.migrate()
    out = Exported({}, {}, {})
    with database.session() as db:
        register_builtin_schemes(db)
        built = make_coded_session(db)
        coding_ratings.set_ratings(db, coding=built.coding, ratings={"level": 6})
        for style, procedure in (("withdrawn", "ssp"), ("withdrawn", "free-play"),
                                 ("hostile", "free-play")):
            add_simulated_sessions(db, study=built.study, style=style, sessions=2, seed=3,
                                   procedure=procedure)
        chosen = exports.choose_codings(db, studies.get_study(db, "s1"))
        for kind in TABLES:
            body = exports.table_export(db, built.study, kind, "sav", chosen).body
            out.sav[kind] = _read_sav(body, user_missing=True)
            body = exports.table_export(db, built.study, kind, "xlsx", chosen).body
            out.xlsx[kind] = openpyxl.load_workbook(io.BytesIO(body))
            body = exports.table_export(db, built.study, kind, "csv", chosen).body
            out.csv[kind] = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    yield out
    database.dispose()


def _expected_width(values: pd.Series, spss_format: str) -> int:
    """The width the doc's ``Aw`` or ``Fw.d`` asks for, sized to these values."""
    if spss_format == "Aw":
        return max([len(str(v).encode("utf-8")) for v in values] + [1])
    decimals = int(spss_format.split(".")[1])
    numbers = values.dropna().astype(float)
    largest = numbers.abs().max() if len(numbers) else 0.0
    return len(f"{largest:.{decimals}f}") + int(bool((numbers < 0).any()))


@pytest.mark.parametrize("kind", ["cohort", "events"])
def test_sav_formats_levels_labels_and_value_labels_are_those_documented(
        exported: Exported, kind: str) -> None:
    frame, meta = exported.sav[kind]
    assert len(frame) > 0
    for name in frame.columns:
        doc = DOCUMENTED[name]
        assert meta.column_names_to_labels[name] == doc.spss_label, name
        assert meta.variable_measure[name] == doc.level, name
        spss_format = meta.original_variable_types[name]
        letter, decimals = doc.format[0], doc.format.partition(".")[2]
        assert re.fullmatch(rf"{letter}\d+" + (rf"\.{decimals}" if decimals else ""),
                            spss_format), (name, spss_format, doc.format)
        assert int(re.findall(r"\d+", spss_format)[0]) == _expected_width(
            frame[name], doc.format), (name, spss_format)
        assert meta.variable_value_labels.get(name, {}) == doc.value_labels, name
        missing = {r["lo"] for r in meta.missing_ranges.get(name, [])}
        assert missing == doc.user_missing, name


def test_sav_sizes_times_to_the_data_and_not_to_f8_2(exported: Exported) -> None:
    frame, meta = exported.sav["events"]
    longest = int(frame["onset_ms"].max())
    assert longest >= 1_000_000  # simulated sessions of some 20 minutes
    assert meta.original_variable_types["onset_ms"] == f"F{len(str(longest))}.0"
    assert meta.column_names_to_labels["onset_ms"] == "Onset (ms)"
    cohort, meta = exported.sav["cohort"]
    assert meta.original_variable_types["unanswered_share"] == "F5.3"
    assert meta.original_variable_types["far_share"] == "F5.3"
    assert meta.original_variable_types["initiative_flag"] == "F1.0"
    assert meta.variable_measure["level"] == "ordinal"
    assert meta.variable_measure["coding_id"] == "nominal"
    assert meta.variable_measure["hold_median_ms"] == "scale"
    assert cohort["level"].dropna().tolist() == [6.0]
    assert set(meta.variable_measure.values()) == {"nominal", "ordinal", "scale"}


def test_sav_predictors_are_dyad_means_and_a_flag_averages_to_a_share(
        exported: Exported) -> None:
    frame, meta = exported.sav["predictors"]
    assert frame["dyad"].is_unique
    # Each withdrawn dyad is seen twice: its flags' means are shares of its two sessions
    # (0.5 stays 0.5; SPSS files once read any non-zero mean as 1).
    cohort, _ = exported.sav["cohort"]
    flags = [c for c in frame.columns if c.endswith("_flag")]
    expected = cohort.groupby("dyad")[flags].mean().sort_index()
    pd.testing.assert_frame_equal(frame.set_index("dyad")[flags].sort_index(), expected)
    assert (expected == 0.5).any().any(), "the simulation should give a share of 0.5"
    assert meta.column_names_to_labels["distance_flag"] == (
        "Distance flag: share of the dyad's sessions (proportion 0-1)")
    assert meta.column_names_to_labels["count_WD"] == (
        "Withdrawal events: mean over the dyad's sessions")
    for name in frame.columns:
        if name == "dyad":
            assert meta.variable_measure[name] == "nominal"
            continue
        assert meta.variable_measure[name] == "scale", name
        assert name not in meta.variable_value_labels, name
        assert re.fullmatch(r"F\d+\.\d", meta.original_variable_types[name]), name
    assert meta.original_variable_types["distance_flag"] == "F5.3"
    assert meta.original_variable_types["count_WD"].endswith(".2")


def _sheet_columns(sheet: Any) -> dict[str, list[Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return {str(name): [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}


@pytest.mark.parametrize("kind", TABLES)
def test_xlsx_has_a_frozen_header_and_flags_as_numbers(exported: Exported, kind: str) -> None:
    book = exported.xlsx[kind]
    assert book.sheetnames == [kind, "variables"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref
    columns = _sheet_columns(book[kind])
    assert len(next(iter(columns.values()))) > 0
    for name, cells in columns.items():
        doc = DOCUMENTED[name]
        present = [c for c in cells if c is not None]
        if kind != "predictors" and doc.kind == "flag":
            assert all(type(c) is int and c in (0, 1) for c in present), (name, present)
        elif doc.kind in ("flag", "integer", "number"):
            assert all(isinstance(c, int | float) and not isinstance(c, bool)
                       for c in present), (name, present)
        elif doc.kind == "category":
            assert set(present) <= doc.stored_text, (name, present)


def test_xlsx_flags_add_up_as_the_states_say(exported: Exported) -> None:
    columns = _sheet_columns(exported.xlsx["cohort"]["cohort"])
    for sign in ("initiative", "distance", "redirection"):
        assert sum(columns[f"{sign}_flag"]) == columns[f"{sign}_state"].count("present")
    assert sum(columns["withdrawn_profile"]) >= 1


@pytest.mark.parametrize("kind", ["cohort", "events"])
def test_xlsx_variables_sheet_says_what_the_docs_say(exported: Exported, kind: str) -> None:
    sheet = _sheet_columns(exported.xlsx[kind]["variables"])
    assert sheet["name"] == [c.value for c in exported.xlsx[kind][kind][1]]
    for name, label, unit, values in zip(sheet["name"], sheet["label"], sheet["unit"],
                                         sheet["values"], strict=True):
        doc = DOCUMENTED[name]
        assert (label, unit or "", values or "") == (doc.label, doc.unit, doc.values), name


def test_csv_flags_are_0_and_1_as_documented(exported: Exported) -> None:
    table = exported.csv["cohort"]
    for name in table.columns:
        if DOCUMENTED[name].kind == "flag":
            assert set(table[name]) <= {"0", "1", ""}, name
    assert set(table["status"]) <= DOCUMENTED["status"].stored_text

