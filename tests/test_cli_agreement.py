"""`samspill agreement ratings|events` on CSV files (the sub-app, driven by CliRunner)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from samspill.cli.agreement import agreement_app
from samspill.core.errors import EventError, InputError, SamspillError
from samspill.core.reliability import time_unit_kappa

runner = CliRunner()

# Shrout & Fleiss (1979) Table 2; their Table 4 gives ICC(2,1) = .29.
SF = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


@pytest.fixture
def ratings_csv(tmp_path):
    def make(n_raters=4):
        rows = [(f"tape{t}", f"coder{r}", row[r]) for t, row in enumerate(SF)
                for r in range(n_raters)]
        path = tmp_path / f"ratings{n_raters}.csv"
        pd.DataFrame(rows, columns=["tape", "coder", "level"]).to_csv(path, index=False)
        return path
    return make


def _ratings(path, *extra):
    return runner.invoke(agreement_app, ["ratings", str(path), "--target", "tape", "--rater",
                                         "coder", "--rating", "level", *extra])


def test_ratings_json_lists_six_iccs_alpha_and_percent(ratings_csv):
    result = _ratings(ratings_csv(), "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"icc", "krippendorff_alpha", "percent_agreement"}
    assert [item["type"] for item in body["icc"]] == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k",
                                                      "ICC3k"]
    icc2 = body["icc"][1]
    assert round(icc2["icc"], 2) == 0.29 and icc2["ci95"][0] < icc2["icc"] < icc2["ci95"][1]
    assert body["percent_agreement"] == 0.0


def test_ratings_json_adds_weighted_kappa_for_two_raters(ratings_csv):
    body = json.loads(_ratings(ratings_csv(2), "--format", "json", "--level", "ordinal").output)
    assert set(body["weighted_kappa"]) == {"linear", "quadratic"}
    assert -1 <= body["weighted_kappa"]["quadratic"] <= 1


def test_ratings_level_changes_alpha(ratings_csv):
    path = ratings_csv()
    nominal = json.loads(_ratings(path, "--format", "json", "--level", "nominal").output)
    interval = json.loads(_ratings(path, "--format", "json").output)
    assert nominal["krippendorff_alpha"] != interval["krippendorff_alpha"]


def test_nominal_text_labels_give_alpha_and_percent_without_icc(tmp_path):
    path = tmp_path / "labels.csv"
    rows = ["tape,coder,label"] + [f"{t},{c},{lab}" for t, c, lab in [
        (1, "a", "withdrawn"), (1, "b", "withdrawn"), (2, "a", "hostile"), (2, "b", "hostile"),
        (3, "a", "withdrawn"), (3, "b", "hostile"), (4, "a", "hostile"), (4, "b", "hostile")]]
    path.write_text("\n".join(rows) + "\n")
    result = runner.invoke(agreement_app, ["ratings", str(path), "--target", "tape", "--rater",
                                           "coder", "--rating", "label", "--level", "nominal",
                                           "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["icc"] == [] and "weighted_kappa" not in body
    assert body["percent_agreement"] == pytest.approx(75.0)
    assert body["krippendorff_alpha"] is not None


def test_ratings_table_is_readable_text(ratings_csv):
    result = _ratings(ratings_csv(2))
    assert result.exit_code == 0
    assert "ICC2k" in result.output and "quadratic" in result.output


@pytest.fixture
def codings(tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("subject,code,onset_ms,offset_ms\nc,x,0,2000\nc,y,2000,4000\nc,p,1500,\n")
    b.write_text("subject,code,onset_ms,offset_ms\nc,x,0,3000\nc,y,3000,4000\nc,p,1600,\n")
    return a, b


def _events(a, b, *extra):
    return runner.invoke(agreement_app, ["events", str(a), str(b), *extra])


def test_events_json_has_kappa_per_code_event_kappa_and_confusion(codings):
    result = _events(*codings, "--unit-ms", "1000", "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"time_unit_kappa", "per_code", "event_kappa", "confusion"}
    frames = [pd.read_csv(p) for p in codings]
    expected = time_unit_kappa(*frames, unit_ms=1000)["kappa"].iloc[-1]
    assert body["time_unit_kappa"] == pytest.approx(expected)
    assert [item["code"] for item in body["per_code"]] == ["p", "x", "y"]
    counts = np.array(body["confusion"]["counts"])
    assert body["confusion"]["labels"] == ["nil", "p", "x", "y"]
    assert counts.sum() == 8 and counts[3, 2] == 1  # A y, B x in unit 2
    assert body["event_kappa"] == pytest.approx(1.0)


def test_events_json_adds_tolerated_kappa_when_tolerance_is_given(codings):
    body = json.loads(_events(*codings, "--unit-ms", "1000", "--tolerance-ms", "1000",
                              "--format", "json").output)
    assert body["time_unit_kappa_tolerance"] == {"a_reference": 1.0, "b_reference": 1.0,
                                                 "mean": 1.0}


def test_events_table_shows_the_confusion_matrix(codings):
    result = _events(*codings, "--unit-ms", "500")
    assert result.exit_code == 0
    assert "Confusion matrix" in result.output and "Per-code kappa" in result.output


@pytest.mark.parametrize(("args", "error", "words"), [
    (["--unit-ms", "0"], InputError, "unit_ms"),
    (["--unit-ms", "1000", "--tolerance-ms", "1500"], InputError, "whole number"),
])
def test_bad_event_options_raise_samspill_errors(codings, args, error, words):
    result = _events(*codings, *args)
    assert isinstance(result.exception, error)
    assert words in str(result.exception)


def test_missing_file_and_missing_column_raise_input_errors(tmp_path, codings):
    result = _events(tmp_path / "nope.csv", codings[1], "--unit-ms", "1000")
    assert isinstance(result.exception, InputError) and "does not exist" in str(result.exception)
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,code,onset\nc,x,0\n")
    result = _events(bad, codings[1], "--unit-ms", "1000")
    assert isinstance(result.exception, InputError) and "offset_ms" in str(result.exception)


def test_overlapping_states_raise_event_error(tmp_path, codings):
    clash = tmp_path / "clash.csv"
    clash.write_text("subject,code,onset_ms,offset_ms\nc,x,0,2000\nc,y,1000,3000\n")
    result = _events(clash, codings[1], "--unit-ms", "1000")
    assert isinstance(result.exception, EventError)


def test_rating_errors_are_samspill_errors(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("tape,coder,level\n1,a,high\n1,b,3\n2,a,4\n2,b,5\n")
    result = _ratings(path, "--format", "json")
    assert isinstance(result.exception, SamspillError) and "number" in str(result.exception)
