"""`samspill sequential …` and `samspill outcomes …` on CSV files, through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner, Result

from samspill.cli.outcomes import outcomes_app
from samspill.cli.sequential import sequential_app
from samspill.core.errors import EventError, InputError
from samspill.core.events import events_frame
from samspill.core.sequential import parse_lags
from samspill.core.vignette import vignette_events

runner = CliRunner()


def _app() -> typer.Typer:
    """Registered the way the main CLI registers them."""
    app = typer.Typer()
    app.add_typer(sequential_app, name="sequential")
    app.add_typer(outcomes_app, name="outcomes")
    return app


def _run(*args: str | Path) -> Result:
    return runner.invoke(_app(), [str(a) for a in args])


@pytest.fixture
def vignette_csv(tmp_path: Path) -> Path:
    path = tmp_path / "vignette.csv"
    frame = events_frame(vignette_events())[["subject", "code", "onset_ms", "offset_ms"]]
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def two_sessions_csv(tmp_path: Path) -> Path:
    path = tmp_path / "two.csv"
    path.write_text("session,subject,code,onset_ms,offset_ms\n"
                    "01,child,bid,1000,\n01,caregiver,respond,3000,\n01,child,bid,30000,\n"
                    "02,child,bid,5000,\n02,caregiver,hold,7000,9000\n02,caregiver,far,0,60000\n",
                    encoding="utf-8")
    return path


def test_withdrawal_query_prints_a_table_with_a_pooled_row(vignette_csv: Path) -> None:
    result = _run("sequential", "withdrawal", vignette_csv)
    assert result.exit_code == 0, result.output
    assert "(pooled)" in result.output and "share_followed" in result.output


def test_withdrawal_query_as_json_holds_the_vignette_tally(vignette_csv: Path) -> None:
    result = _run("sequential", "withdrawal", vignette_csv, "--format", "json")
    rows = json.loads(result.output)
    assert [r["session"] for r in rows] == ["all", "(pooled)"]
    assert (rows[0]["n_given"], rows[0]["n_given_followed"], rows[0]["observed"]) == (7, 2, 2)
    assert rows[0]["odds_ratio"] == pytest.approx(8.5)


def test_session_column_is_used_when_present_and_keeps_leading_zeros(
        two_sessions_csv: Path) -> None:
    rows = json.loads(_run("sequential", "withdrawal", two_sessions_csv, "--format", "json")
                      .output)
    assert [r["session"] for r in rows] == ["01", "02", "(pooled)"]
    assert [r["n_given_followed"] for r in rows] == [1, 1, 2]


def test_lag_command_reports_each_lag_asked_for(vignette_csv: Path) -> None:
    result = _run("sequential", "lag", vignette_csv, "--lag", "1-2", "--format", "json")
    rows = pd.DataFrame(json.loads(result.output))
    assert sorted(rows.lag.unique()) == [1, 2]
    cell = rows.query("session == 'all' and lag == 1 and given == 'bid' and target == 'respond'")
    assert cell["count"].item() == 2


def test_only_option_sequences_the_listed_codes(vignette_csv: Path) -> None:
    result = _run("sequential", "lag", vignette_csv, "--only", "bid,respond,redirect",
                  "--format", "json")
    rows = pd.DataFrame(json.loads(result.output))
    assert set(rows.given) == {"bid", "respond", "redirect"}
    assert rows.query("session == 'all'")["count"].sum() == 12 - 1  # 7 + 2 + 3 events


def test_tablewise_option_prints_one_test_per_table(two_sessions_csv: Path) -> None:
    result = _run("sequential", "lag", two_sessions_csv, "--tablewise", "--format", "json")
    rows = json.loads(result.output)
    assert [r["session"] for r in rows] == ["01", "02", "(pooled)"]
    assert {"chi2", "g2", "df", "p_g2"} <= set(rows[0])


def test_window_command_takes_code_lists(vignette_csv: Path) -> None:
    result = _run("sequential", "window", vignette_csv, "--given", "bid", "--target",
                  "respond,hold", "--window-ms", "15000", "--format", "json")
    row = json.loads(result.output)[0]
    assert row["n_given"] == 7 and row["n_given_followed"] == 3  # 228 s → hold at 240 s


def test_per_event_lists_each_bid_and_its_answer(vignette_csv: Path) -> None:
    result = _run("sequential", "withdrawal", vignette_csv, "--per-event", "--format", "json")
    rows = json.loads(result.output)
    assert [r["latency_ms"] for r in rows[:3]] == [7000, 8000, None]
    result = _run("sequential", "window", vignette_csv, "--given", "bid", "--target", "hold",
                  "--window-ms", "15000", "--per-event")
    assert result.exit_code == 0 and "target_onset_ms" in result.output


def test_no_repeats_refuses_sequences_with_repeats(vignette_csv: Path) -> None:
    result = _run("sequential", "lag", vignette_csv, "--no-repeats")
    assert isinstance(result.exception, InputError)
    assert "follow themselves" in str(result.exception)


@pytest.mark.parametrize(("body", "error", "text"), [
    ("subject,code,onset_ms\nchild,bid,1\n", InputError, "no column offset_ms"),
    ("subject,code,onset_ms,offset_ms\nchild,bid,1\nchild,bid,soon,\n", EventError,
     "line 3"),
    ("subject,code,onset_ms,offset_ms\nchild,bid,1.5,\n", EventError, "whole number"),
    ("subject,code,onset_ms,offset_ms\ncaregiver,hold,500,100\n", EventError,
     "offset_ms comes before onset_ms"),
    ("", InputError, "cannot read"),
])
def test_bad_event_files_raise_errors_that_name_the_problem(
        tmp_path: Path, body: str, error: type[Exception], text: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text(body, encoding="utf-8")
    result = _run("sequential", "withdrawal", path)
    assert isinstance(result.exception, error)
    assert text in str(result.exception)


def test_missing_file_and_unknown_session_column_are_refused(vignette_csv: Path) -> None:
    result = _run("sequential", "lag", vignette_csv.with_name("nope.csv"))
    assert isinstance(result.exception, InputError)
    result = _run("sequential", "lag", vignette_csv, "--session-col", "dyad")
    assert isinstance(result.exception, InputError) and "dyad" in str(result.exception)


def test_bad_window_is_refused(vignette_csv: Path) -> None:
    result = _run("sequential", "window", vignette_csv, "--given", "bid", "--target",
                  "respond", "--window-ms", "1500")
    assert isinstance(result.exception, InputError)


@pytest.mark.parametrize(("text", "lags"), [("2", [2]), ("1-3", [1, 2, 3]), ("1,3", [1, 3])])
def test_lag_option_reads_a_lag_range_or_list(text: str, lags: list[int]) -> None:
    assert parse_lags(text) == lags


def test_lag_option_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(InputError, match="--lag"):
        parse_lags("one")


@pytest.fixture
def dyad_files(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(3)
    n = 80
    abuse, withdrawal = rng.normal(size=n), rng.normal(size=n)
    dyads = [f"D{i:02d}" for i in range(n)]
    outcome = pd.DataFrame({"dyad": dyads,
                            "bpd": 0.3 * abuse + 0.5 * withdrawal + rng.normal(size=n)})
    outcome.loc[4, "bpd"] = np.nan
    predictors = pd.DataFrame({"dyad": dyads, "abuse": abuse, "withdrawal": withdrawal})
    predictors = predictors[predictors.dyad != "D07"]
    paths = tmp_path / "outcomes.csv", tmp_path / "predictors.csv"
    outcome.to_csv(paths[0], index=False)
    predictors.to_csv(paths[1], index=False)
    return paths


def test_outcomes_command_reports_steps_betas_and_exclusions(
        dyad_files: tuple[Path, Path]) -> None:
    outcomes, predictors = dyad_files
    result = _run("outcomes", outcomes, "--predictors", predictors, "--outcome", "bpd",
                  "--step", "abuse", "--step", "withdrawal", "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["n"] == 78 and len(body["steps"]) == 2
    assert {(e["dyad"], e["reason"]) for e in body["excluded"]} == {
        ("D04", "missing outcome"), ("D07", "unknown dyad")}
    assert [c["term"] for c in body["coefficients"]] == ["abuse", "abuse", "withdrawal"]


def test_outcomes_command_prints_three_tables(dyad_files: tuple[Path, Path]) -> None:
    outcomes, predictors = dyad_files
    result = _run("outcomes", outcomes, "--predictors", predictors, "--outcome", "bpd",
                  "--step", "abuse,withdrawal")
    assert result.exit_code == 0, result.output
    for heading in ("steps (n = 78)", "coefficients", "excluded", "unknown dyad"):
        assert heading in result.output


def test_outcomes_command_takes_the_confidence_level(dyad_files: tuple[Path, Path]) -> None:
    outcomes, predictors = dyad_files
    widths = []
    for level in ("0.95", "0.99"):
        result = _run("outcomes", outcomes, "--predictors", predictors, "--outcome", "bpd",
                      "--step", "abuse", "--confidence", level, "--format", "json")
        beta = json.loads(result.output)["coefficients"][0]
        widths.append(beta["beta_ci_high"] - beta["beta_ci_low"])
    assert widths[1] > widths[0]


def test_outcomes_command_names_an_unknown_column(dyad_files: tuple[Path, Path]) -> None:
    outcomes, predictors = dyad_files
    result = _run("outcomes", outcomes, "--predictors", predictors, "--outcome", "bpd",
                  "--step", "abuse", "--step", "neglect")
    assert isinstance(result.exception, InputError)
    assert "neglect" in str(result.exception)
