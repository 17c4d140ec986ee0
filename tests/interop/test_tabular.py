"""Tabular exports: CSV, XLSX, SPSS and Parquet round trips, labels, and the variable registry."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from interop_factories import open_scheme, vignette_project

from samspill.core.errors import InputError
from samspill.core.simulate import STYLES
from samspill.interop.tabular import events_table, undocumented, write_table
from samspill.interop.variables import (
    COHORT_COLUMNS,
    EVENT_TABLE_COLUMNS,
    REGISTRY,
    spss_name_problems,
    variables_markdown,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "variables.md"


def _cohort() -> pd.DataFrame:
    base = {"study": "Synthetic", "coder": "coder-a", "procedure": "free-play",
            "initiative_share": 0.25, "response_latency_median_ms": 7000.0,
            "unanswered_share": 0.5, "muted_share": 1.0, "hold_median_ms": 8000.0,
            "putdowns_despite_protest": 1, "redirect_share": 0.75, "far_share": 0.7,
            "hostile_rate_per_10min": 0.0, "initiative_flag": True, "responsiveness_flag": True,
            "cursory_contact_flag": True, "redirection_flag": True, "distance_flag": True,
            "low_hostility_flag": True, "count_AE": 0, "count_RB": 0, "count_FD": 0,
            "count_NI": 0, "count_WD": 2, "level": 6, "disrupted": True}
    rows = [{**base, "dyad": "D07", "session": "s1", "coding_id": "c1", "sim_style": "withdrawn"},
            {**base, "dyad": "D08", "session": "s2", "coding_id": "c2", "sim_style": None,
             "disrupted": False, "level": 2, "initiative_flag": None, "procedure": "ssp"}]
    return pd.DataFrame(rows, columns=COHORT_COLUMNS)


def _read_sav(data: bytes, tmp_path: Path) -> tuple[pd.DataFrame, object]:
    path = tmp_path / "t.sav"
    path.write_bytes(data)
    return pyreadstat.read_sav(str(path))


def test_every_exported_column_is_documented_and_spss_safe():
    for name in COHORT_COLUMNS + EVENT_TABLE_COLUMNS:
        assert name in REGISTRY
        assert spss_name_problems(name) == []
    assert undocumented(_cohort()) == []


def test_every_simulated_style_has_an_spss_code():
    coded = {text for _, text in REGISTRY["sim_style"].values}
    assert set(STYLES) <= coded


@pytest.mark.parametrize(("name", "problem"), [
    ("1st_level", "must start with a letter"), ("x" * 65, "longer than 64 bytes"),
    ("ø" * 33, "longer than 64 bytes"), ("with", "reserved word"), ("a b", "must start"),
    ("level_", "must not end"),
])
def test_spss_name_rules_are_checked(name: str, problem: str):
    assert any(problem in p for p in spss_name_problems(name))


def test_sav_round_trip_keeps_values_with_variable_and_value_labels(tmp_path: Path):
    frame, meta = _read_sav(write_table(_cohort(), "sav"), tmp_path)
    assert list(frame.columns) == COHORT_COLUMNS
    assert meta.column_names_to_labels["disrupted"] == "Classification"
    assert meta.variable_value_labels["disrupted"] == {0.0: "not disrupted", 1.0: "disrupted"}
    assert meta.variable_value_labels["initiative_flag"] == {0.0: "no", 1.0: "yes"}
    assert frame["disrupted"].tolist() == [1.0, 0.0]
    assert frame["sim_style"].iloc[0] == 2.0 and pd.isna(frame["sim_style"].iloc[1])
    assert frame["initiative_flag"].iloc[0] == 1.0 and pd.isna(frame["initiative_flag"].iloc[1])
    assert frame["dyad"].tolist() == ["D07", "D08"]
    assert frame["response_latency_median_ms"].tolist() == [7000.0, 7000.0]
    labelled, _ = pyreadstat.read_sav(str(tmp_path / "t.sav"), apply_value_formats=True)
    assert labelled["procedure"].tolist() == ["free-play", "ssp"]


def test_events_table_round_trips_through_sav_csv_and_parquet(tmp_path: Path):
    events = vignette_project().observations[0].events
    table = events_table(events, study="S", dyad="D07", session="s1", coder="a", coding_id="c1")
    assert list(table.columns) == EVENT_TABLE_COLUMNS
    frame, _ = _read_sav(write_table(table, "sav"), tmp_path)
    assert frame["onset_ms"].astype("int64").tolist() == table["onset_ms"].tolist()
    assert frame["comment"].tolist() == table["comment"].tolist()
    assert frame["modifiers"].tolist() == table["modifiers"].tolist()
    csv = pd.read_csv(io.BytesIO(write_table(table, "csv")), keep_default_na=False,
                      dtype={"offset_ms": "string", "duration_ms": "string"})
    assert csv["modifiers"].tolist() == table["modifiers"].tolist()
    parquet = pd.read_parquet(io.BytesIO(write_table(table, "parquet")))
    pd.testing.assert_frame_equal(parquet, table)


def test_parquet_fields_carry_label_and_description():
    schema = pq.read_schema(io.BytesIO(write_table(_cohort(), "parquet")))
    assert schema.field("far_share").metadata[b"label"] == b"Share of present time far"
    assert b"proportion" in schema.field("far_share").metadata[b"unit"]


def test_xlsx_has_the_data_a_variables_sheet_and_no_formulas():
    frame = _cohort()
    frame.loc[0, "coder"] = "=HYPERLINK(\"http://x\")"
    book = openpyxl.load_workbook(io.BytesIO(write_table(frame, "xlsx")))
    assert book.sheetnames == ["data", "variables"]
    cell = book["data"]["D2"]  # neutralised (issue 21, item 10): a quote, then the text
    assert cell.value == "'=HYPERLINK(\"http://x\")" and cell.data_type == "s"
    raw = openpyxl.load_workbook(io.BytesIO(write_table(frame, "xlsx", raw_cells=True)))
    cell = raw["data"]["D2"]  # as stored, and still text, never a formula
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"
    back = pd.read_excel(io.BytesIO(write_table(_cohort(), "xlsx")), sheet_name=None)
    assert back["data"]["dyad"].tolist() == ["D07", "D08"]
    assert back["variables"]["name"].tolist() == COHORT_COLUMNS


def test_sav_refuses_names_and_values_spss_cannot_hold():
    with pytest.raises(InputError, match="'2nd' "):
        write_table(pd.DataFrame({"2nd": [1]}), "sav")
    with pytest.raises(InputError, match="'sim_style' holds value"):
        write_table(pd.DataFrame({"sim_style": ["chaotic"]}), "sav")


def test_unknown_format_is_refused():
    with pytest.raises(InputError, match="use one of csv, xlsx, sav, parquet"):
        write_table(_cohort(), "dta")  # type: ignore[arg-type]


def test_variables_doc_is_current_and_lists_every_variable():
    text = DOCS.read_text(encoding="utf-8")
    assert text == variables_markdown() + "\n", "regenerate docs/variables.md"
    for name in REGISTRY:
        assert f"`{name}`" in text


def test_every_column_the_core_scores_is_registered():
    from samspill.core.indicators import INDICATORS, SUMMARY_COLUMNS
    from samspill.core.scoring import COHORT_VALUES, sign_columns

    scored = [*COHORT_VALUES, *sign_columns(stability=True), *SUMMARY_COLUMNS,
              *(spec.flag for spec in INDICATORS.values()), "level", "disrupted",
              "classification", "profile"]
    dimensions = [f"count_{d.id}" for d in open_scheme().dimensions]
    assert [c for c in scored + dimensions if c not in REGISTRY] == []
    assert [c for c in scored + dimensions if c not in COHORT_COLUMNS] == []


def test_states_are_categories_and_the_qualifier_says_it_is_no_sign():
    from samspill.core.indicators import QUALIFIER, SIGNS

    for spec in SIGNS.values():
        state = REGISTRY[spec.state]
        assert state.kind == "category"
        assert {text for _, text in state.values} == {"present", "absent", "not_observable"}
    qualifier = REGISTRY[QUALIFIER.state]
    assert {text for _, text in qualifier.values} == {"low", "hostile", "not_observable"}
    assert "qualifier" in qualifier.label and "not a sign" in qualifier.label
    assert "not a sign" in REGISTRY[QUALIFIER.flag].label


def test_sav_carries_value_labels_for_the_states_and_not_observable_is_user_missing(
        tmp_path: Path):
    frame = pd.DataFrame({"distance_state": ["present", "absent", "not_observable", None],
                          "hostility_qualifier": ["low", "hostile", "not_observable", "low"],
                          "distance_reason": ["far_share", "", "proximity_not_coded", None],
                          "distance_stability": [1.0, 0.85, None, 0.5]})
    _, meta = _read_sav(write_table(frame, "sav"), tmp_path)
    # The labels are words ("not observable"); the CSV and XLSX keep the key "not_observable".
    assert meta.variable_value_labels["distance_state"] == {
        0.0: "absent", 1.0: "present", 9.0: "not observable"}
    assert meta.variable_value_labels["hostility_qualifier"] == {
        0.0: "hostile", 1.0: "low", 9.0: "not observable"}
    assert meta.column_names_to_labels["distance_state"] == "Distance: state"
    kept, _ = pyreadstat.read_sav(str(tmp_path / "t.sav"), user_missing=True)
    assert kept["distance_state"].tolist()[:3] == [1.0, 0.0, 9.0]
    assert pd.isna(kept["distance_state"].iloc[3])
    missing, _ = pyreadstat.read_sav(str(tmp_path / "t.sav"))  # 9 is user-missing: not absent
    assert pd.isna(missing["distance_state"].iloc[2]) and pd.isna(
        missing["hostility_qualifier"].iloc[2])
    labelled, _ = pyreadstat.read_sav(str(tmp_path / "t.sav"), apply_value_formats=True,
                                      user_missing=True)
    assert labelled["distance_state"].tolist()[:3] == ["present", "absent", "not observable"]
    assert kept["distance_reason"].tolist()[:3] == ["far_share", "", "proximity_not_coded"]


def test_sav_refuses_a_state_it_has_no_code_for():
    with pytest.raises(InputError, match="'distance_state' holds value"):
        write_table(pd.DataFrame({"distance_state": ["maybe"]}), "sav")


def test_a_file_name_says_its_table_format():
    from samspill.interop.tabular import FORMATS, format_of_name

    assert [format_of_name(f"cohort.{f}") for f in FORMATS] == list(FORMATS)
    assert format_of_name("COHORT.SAV") == "sav" and format_of_name("a.b.parquet") == "parquet"
    assert format_of_name("events.RDS") == "rds"  # R's saveRDS format (issue 13)
    assert [format_of_name(n) for n in ("cohort.dta", "cohort", ".csv", "cohort.csv.gz")] == [
        None, None, None, None]


@pytest.mark.parametrize(("values", "name", "expected"), [
    ([0, 1_199_878, None], "onset_ms", "F7.0"),
    ([7000.5, 12.0], "response_latency_median_ms", "F4.0"),  # ms: no decimals shown
    ([0.25, 1.0, None], "far_share", "F5.3"),
    ([0.9996], "far_share", "F5.3"),
    ([4.5, 12.25], "hostile_rate_per_10min", "F5.2"),
    ([None, None], "far_share", "F5.3"),
    ([-3, 12], "unregistered_count", "F3.0"),  # the largest, and room for a sign
    ([-3.5, 12], "unregistered_value", "F6.2"),
    (["ab", "øø", ""], "dyad", "A4"),  # bytes, as SPSS counts them
    (["", ""], "comment", "A1"),
])
def test_spss_formats_are_sized_to_the_data(values: list[object], name: str, expected: str):
    from samspill.interop.tabular import spss_format

    series = pd.Series(values, dtype=object if isinstance(values[0], str) else "float64")
    assert spss_format(series, REGISTRY.get(name)) == expected


def test_flags_are_0_and_1_in_csv_and_parquet_and_a_mean_is_kept():
    from samspill.interop.tabular import flags_as_numbers

    frame = pd.DataFrame({"distance_flag": [True, False, None], "withdrawn_profile": [0.5, 1, 0]})
    csv = write_table(frame, "csv").decode()
    assert csv.splitlines()[1:] == ["1,0.5", "0,1.0", ",0.0"]
    parquet = pd.read_parquet(io.BytesIO(write_table(frame, "parquet")))
    assert parquet["distance_flag"].tolist()[:2] == [1, 0] and pd.isna(parquet["distance_flag"][2])
    with pytest.raises(InputError, match="flag 'distance_flag' holds 'maybe'"):
        flags_as_numbers(pd.DataFrame({"distance_flag": ["maybe"]}))


def test_every_spss_label_with_its_unit_fits_spss():
    from samspill.interop.variables import PREDICTOR_REGISTRY

    for v in [*REGISTRY.values(), *PREDICTOR_REGISTRY.values()]:
        assert len(v.spss_label.encode("utf-8")) <= 256, v.name  # SPSS's longest label
        assert not v.unit or v.spss_label.count(v.unit) == 1, v.spss_label  # the unit once
