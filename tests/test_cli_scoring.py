"""`samspill score`, `cohort` and `simulate` on a demo study."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from samspill.cli import app

runner = CliRunner()


def test_score_cohort_and_simulate_on_the_demo(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["demo", "--no-video", "--data-dir", data]).exit_code == 0
    scored = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette",
                                 "--format", "json", "--data-dir", data])
    assert scored.exit_code == 0
    result = json.loads(scored.output)
    session = [i for i in result["indicators"] if i["scope"] == "session"]
    assert {i["id"] for i in session} == {"initiative", "responsiveness", "cursory_contact",
                                          "redirection", "distance", "low_hostility"}
    assert all({"id", "flag", "values", "evidence"} <= set(i) for i in session)
    assert all(i["flag"] for i in session)
    assert "settings" in result and "ambiance" in result

    added = runner.invoke(app, ["simulate", "--study", "demo", "--style", "withdrawn",
                                "--sessions", "2", "--seed", "7", "--procedure", "ssp",
                                "--data-dir", data])
    assert added.exit_code == 0, added.output
    out = tmp_path / "cohort.csv"
    assert runner.invoke(app, ["cohort", "--study", "demo", "--out", str(out),
                               "--data-dir", data]).exit_code == 0
    rows = list(csv.DictReader(out.open()))
    assert sum(r["sim_style"] == "withdrawn" for r in rows) >= 2
    assert {"session", "coder", "far_share", "distance_flag", "level"} <= set(rows[0])


def test_score_without_coder_lists_the_codings_when_ambiguous(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    runner.invoke(app, ["demo", "--no-video", "--data-dir", data])
    runner.invoke(app, ["user", "add", "cora", "--data-dir", data])
    export = tmp_path / "e.csv"
    runner.invoke(app, ["events", "export", "--study", "demo", "--session", "vignette",
                        "--out", str(export), "--data-dir", data])
    runner.invoke(app, ["events", "import", str(export), "--study", "demo", "--session",
                        "vignette", "--coder", "cora", "--data-dir", data])
    result = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette",
                                 "--data-dir", data])
    assert result.exit_code == 0  # the master coding is chosen
    both = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette", "--coder",
                               "cora", "--format", "json", "--data-dir", data])
    assert json.loads(both.output)["coding"]["coder"] == "cora"
