"""`samspill trajectory` on the demo: the family's three sessions and the change index in
numbers for people, in English and bokmål; a clear error for an unknown dyad (issue 23)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from samspill.cli import app

runner = CliRunner()


def test_the_trajectory_table_of_the_demo_family(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["demo", "--no-video", "--data-dir", data]).exit_code == 0
    shown = runner.invoke(app, ["trajectory", "--study", "demo", "--dyad", "D001",
                                "--data-dir", data], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    out = shown.output.replace("\u00a0", " ")
    assert out.index("1. vignette ·") < out.index("2. vignette-2 ·") < out.index("3. vignette-3")
    assert "intake" in out and "during guidance" in out and "follow-up" in out
    assert "reliable change" in out and "within coder disagreement" in out
    assert "85 %" in out and "7.5 s" in out  # numbers for people, not 0.846667 or 7500
    assert "0.846" not in out and "7500" not in out
    assert "Whole session" in out and "Reunions" in out and "Jacobson & Truax" in out

    norsk = runner.invoke(app, ["trajectory", "--study", "demo", "--dyad", "D001", "--lang",
                                "nb", "--data-dir", data], env={"COLUMNS": "200"})
    assert norsk.exit_code == 0 and "pålitelig endring" in norsk.output
    assert "7,5 s" in norsk.output.replace("\u00a0", " ") and "inntak" in norsk.output

    unknown = runner.invoke(app, ["trajectory", "--study", "demo", "--dyad", "D999",
                                  "--data-dir", data])
    assert unknown.exit_code != 0 and "D999" in str(unknown.exception)
