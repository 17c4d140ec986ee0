"""`samspill course …` (issue 12): list, export to one file, import it again, enrol."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from samspill.cli import app
from samspill.services.demo_course import DEMO_COURSE

runner = CliRunner()


def _run(data: Path, *args: str):
    return runner.invoke(app, [*args, "--data-dir", str(data)])


def test_a_course_goes_out_to_a_file_and_comes_back_under_a_new_name(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _run(data, "demo", "--no-video").exit_code == 0
    assert DEMO_COURSE in _run(data, "course", "list").output
    out = tmp_path / "course.json"
    assert _run(data, "course", "export", DEMO_COURSE, "--out", str(out)).exit_code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["name"] == DEMO_COURSE and len(document["lessons"]) == 6
    made = _run(data, "course", "import", str(out), "--name", "copy")
    assert made.exit_code == 0, made.output
    again = _run(data, "course", "import", str(out))
    assert again.exit_code != 0 and "exists already" in str(again.exception or again.output)
    assert _run(data, "user", "add", "lea").exit_code == 0
    assert _run(data, "course", "enrol", "copy", "lea").exit_code == 0
    listed = _run(data, "course", "list").output
    assert "copy" in listed
