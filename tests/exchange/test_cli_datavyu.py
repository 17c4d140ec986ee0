"""`samspill export datavyu` and `samspill import datavyu FILE|DIR` as a user runs them: a round
trip through the store, a folder with a derived scheme, and a refused file that stores nothing.
The .opf files are synthetic, written after Datavyu's format."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from samspill.cli import app
from samspill.core.errors import SamspillError

runner = CliRunner()
PROJECT = "!project\nname: lab\nversion: 5\nviewerSettings: []\n"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "data"
    for args in (["init"], ["demo", "--no-video"], ["study", "create", "copy"]):
        assert runner.invoke(app, [*args, "--data-dir", str(folder)]).exit_code == 0
    return folder


@pytest.fixture
def data(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    return folder


def _run(data: Path, *args: str, code: int = 0, stdin: str | None = None):
    result = runner.invoke(app, [*args, "--data-dir", str(data)], input=stdin)
    assert result.exit_code == code, result.output
    return result


def _events(data: Path, study: str, tmp_path: Path) -> pd.DataFrame:
    out = tmp_path / f"{study}-events.csv"
    _run(data, "export", "events", "--study", study, "--out", str(out))
    return pd.read_csv(out)


def _opf(path: Path, db: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project", PROJECT)
        archive.writestr("db", db)
    return path


def test_an_exported_coding_imports_back_with_the_same_events(data: Path,
                                                              tmp_path: Path) -> None:
    opf = tmp_path / "vignette.opf"
    done = _run(data, "export", "datavyu", "--study", "demo", "--session", "vignette",
                "--out", str(opf))
    assert "wrote datavyu file of 1 coding(s)" in done.output
    with zipfile.ZipFile(io.BytesIO(opf.read_bytes())) as archive:
        assert archive.read("db").decode().startswith("#4\ncaregiver (MATRIX,true,)")
    done = _run(data, "import", "datavyu", str(opf), "--study", "copy")
    assert "21 event(s), 1 new session(s); scheme withdrawal-open v1" in done.output
    columns = ["subject", "code", "onset_ms", "offset_ms", "modifiers", "comment"]
    before = _events(data, "demo", tmp_path).query("session == 'vignette'")[columns]
    after = _events(data, "copy", tmp_path)[columns]
    order = ["onset_ms", "subject", "code"]
    assert before.sort_values(order).reset_index(drop=True).equals(
        after.sort_values(order).reset_index(drop=True))


def test_a_folder_with_a_derived_scheme_imports_each_file_and_refuses_the_bad_one(
        data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lab"
    folder.mkdir()
    head = "#4\nMom_gaze (MATRIX,true,)-look|NOMINAL,where|NOMINAL\n"
    _opf(folder / "a-home.opf", head + "00:00:01:000,00:00:03:000,(toy,left)\n"
                                       "00:00:05:000,00:00:05:000,(baby,)\n")
    _opf(folder / "b-lab.opf", head + "00:00:02:000,00:00:04:000,(toy,right)\n")
    _opf(folder / "c-bad.opf", head + "00:00:09:000,00:00:04:000,(toy,right)\n")
    (folder / "notes.txt").write_text("not a coding")
    result = _run(data, "import", "datavyu", str(folder), "--study", "copy", "--dyad", "D1",
                  "--procedure", "free-play", "--derive-scheme", "--yes", code=2)
    lines = result.output.splitlines()
    assert lines[0] == "scheme 'datavyu-lab', subject 'subject', 2 code(s):"
    assert "column 'mom_gaze' → code group 'Mom_gaze': toy (state), baby (point)" in lines[1]
    summary = lines[lines.index(next(x for x in lines if x.startswith("imported "))):]
    assert summary[0] == ("imported 2 file(s): 2 coding(s), 3 event(s), 2 new session(s); "
                          "scheme datavyu-lab v1")
    assert summary[1] == "refused 1 file(s), nothing of them stored:"
    assert "c-bad.opf: " in summary[2] and "line 3, column 'Mom_gaze', cell 1: onset " \
        "00:00:09:000 comes after offset 00:00:04:000" in result.output
    events = _events(data, "copy", tmp_path)
    assert sorted(set(events["session"])) == ["a-home", "b-lab"]
    assert sorted(events["code"]) == ["baby", "toy", "toy"]


def test_a_derived_scheme_that_is_not_agreed_to_stores_nothing(data: Path,
                                                               tmp_path: Path) -> None:
    opf = _opf(tmp_path / "visit.opf", "#4\nlooks (MATRIX,true,)-code|NOMINAL\n"
                                       "00:00:01:000,00:00:02:000,(toy)\n")
    result = _run(data, "import", "datavyu", str(opf), "--study", "copy", "--procedure",
                  "free-play", "--derive-scheme", stdin="n\n", code=1)
    assert "Store this scheme and import with it?" in result.output
    listed = _run(data, "scheme", "list").output
    assert "datavyu-visit" not in listed


def test_columns_that_match_no_scheme_are_refused_with_the_way_to_derive(
        data: Path, tmp_path: Path) -> None:
    opf = _opf(tmp_path / "visit.opf", "#4\nlooks (MATRIX,true,)-code|NOMINAL\n"
                                       "00:00:01:000,00:00:02:000,(toy)\n")
    result = runner.invoke(app, ["import", "datavyu", str(opf), "--study", "copy",
                                 "--procedure", "free-play", "--data-dir", str(data)])
    said = str(result.exception)
    assert isinstance(result.exception, SamspillError), result.output
    assert said.startswith("visit.opf: no column of the file matches")
    assert "--derive-scheme" in said
