"""The cohort as a REDCap instrument: field names REDCap accepts, the data dictionary's
columns, records coded as the dictionary says, and the push with PyCap to a local fake REDCap
(tests/fake_redcap.py), never to a real server."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.fake_redcap import TOKEN, FakeProject, fake_redcap

from samspill.core.errors import InputError
from samspill.interop import redcap
from samspill.interop.variables import COHORT_COLUMNS, REGISTRY


def _cohort() -> pd.DataFrame:
    rows = [{"study": "s", "dyad": "D01", "session": "v1", "coder": "ann", "coding_id": 1,
             "status": "master", "initiative_flag": True, "disrupted": False, "level": 6,
             "distance_state": "not_observable", "far_share": 0.25,
             "response_latency_median_ms": 7000.5, "count_WD": 3},
            {"study": "s", "dyad": "D02", "session": "v2", "coder": "bob", "coding_id": 2,
             "status": "submitted", "initiative_flag": None, "disrupted": True, "level": None,
             "distance_state": "present", "far_share": None,
             "response_latency_median_ms": None, "count_WD": 0}]
    return pd.DataFrame(rows)


def test_every_cohort_column_gets_a_distinct_valid_field_name() -> None:
    names = redcap.field_names(COHORT_COLUMNS)
    assert len(set(names.values())) == len(COHORT_COLUMNS)
    for column, name in names.items():
        assert redcap.name_problems(name) == [], (column, name)
        assert len(name) <= 26 and name[0].isalpha() and name == name.lower()
    assert redcap.field_name("Count_WD") == "count_wd" and redcap.field_name("9x") == "v_9x"
    assert redcap.name_problems("Bad-Name") and redcap.name_problems("a" * 27)


def test_clashing_names_are_numbered_and_never_take_the_record_id() -> None:
    names = redcap.field_names(["a_b", "A-B", "record_id"])
    assert names == {"a_b": "a_b", "A-B": "a_b_2", "record_id": "record_id_2"}


def test_the_dictionary_has_redcaps_columns_and_describes_each_field() -> None:
    made = redcap.instrument(_cohort())
    book = made.dictionary
    assert list(book.columns) == redcap.DICTIONARY_COLUMNS
    assert book.columns[0] == "Variable / Field Name" and book.iloc[0, 0] == "record_id"
    assert set(book["Form Name"]) == {"samspill_cohort"}
    field = book.set_index("Variable / Field Name")
    assert field.loc["distance_state", "Field Type"] == "dropdown"
    assert field.loc["distance_state", "Choices, Calculations, OR Slider Labels"] == (
        "0, absent | 1, present | 9, not observable")
    assert field.loc["initiative_flag", "Field Type"] == "yesno"
    assert field.loc["disrupted", "Choices, Calculations, OR Slider Labels"] == (
        "0, not disrupted | 1, disrupted")
    assert field.loc["far_share", "Text Validation Type OR Show Slider Number"] == "number"
    assert (field.loc["far_share", "Text Validation Min"],
            field.loc["far_share", "Text Validation Max"]) == ("0", "1")
    assert field.loc["level", "Text Validation Min"] == "1"
    assert field.loc["count_wd", "Text Validation Type OR Show Slider Number"] == "integer"
    assert field.loc["response_latency_median_ms", "Field Label"] == REGISTRY[
        "response_latency_median_ms"].spss_label
    assert list(field.index[1:]) == list(made.records.columns[1:])


def test_records_hold_the_codes_the_dictionary_declares() -> None:
    records = redcap.read_csv_text(redcap.to_csv(redcap.instrument(_cohort()).records))
    assert records["record_id"].tolist() == ["v1", "v2"]
    assert records["distance_state"].tolist() == ["9", "1"]
    assert records["status"].tolist() == ["3", "2"]
    assert records["initiative_flag"].tolist() == ["1", ""]
    assert records["disrupted"].tolist() == ["0", "1"]
    assert records["far_share"].tolist() == ["0.25", ""]
    assert records["level"].tolist() == ["6", ""]


def test_a_session_with_several_codings_gets_one_record_per_coder() -> None:
    cohort = _cohort().assign(session="v1")
    assert redcap.instrument(cohort).records["record_id"].tolist() == ["v1-ann", "v1-bob"]


def test_push_imports_the_dictionary_then_the_records() -> None:
    made = redcap.instrument(_cohort())
    with fake_redcap() as project:
        pushed = redcap.push(project.url, TOKEN, made)
    assert pushed == redcap.Pushed(fields=len(made.dictionary), records=2)
    assert [r["content"] for r in project.requests] == ["metadata", "record"]
    assert [f["Variable / Field Name"] for f in project.fields] == made.dictionary[
        "Variable / Field Name"].tolist()
    assert [r["record_id"] for r in project.records] == ["v1", "v2"]
    assert project.records[0]["distance_state"] == "9"


def test_a_project_in_production_takes_records_without_the_dictionary() -> None:
    made = redcap.instrument(_cohort())
    fields = [{"Variable / Field Name": n} for n in made.dictionary["Variable / Field Name"]]
    with fake_redcap(FakeProject(fields=fields, development=False)) as project:
        with pytest.raises(InputError, match="development status") as refused:
            redcap.push(project.url, TOKEN, made)
        assert "--no-dictionary" in (refused.value.fix or "")
        assert redcap.push(project.url, TOKEN, made, dictionary=False).records == 2


def test_refusals_never_repeat_the_token() -> None:
    made = redcap.instrument(_cohort())
    wrong = "F" * 32
    with fake_redcap() as project:
        with pytest.raises(InputError, match="permissions") as refused:
            redcap.push(project.url, wrong, made)
        for bad_token in ("short-secret", "G" * 32):
            with pytest.raises(InputError, match="32 hexadecimal") as malformed:
                redcap.push(project.url, bad_token, made)
            assert bad_token not in str(malformed.value) + str(malformed.value.fix)
        with pytest.raises(InputError, match="not a REDCap API address"):
            redcap.push(project.url.removesuffix("api/"), TOKEN, made)
    assert wrong not in str(refused.value) + str(refused.value.fix)
    assert len(project.requests) == 1  # the malformed ones never left


def test_an_unreachable_server_is_named() -> None:
    with fake_redcap() as project:
        url = project.url
    with pytest.raises(InputError, match="cannot reach REDCap"):
        redcap.push(url, TOKEN, redcap.instrument(_cohort()))
