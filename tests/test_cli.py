"""The command line: the commands of the foundation, and bad input as one line with exit 2."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samspill.cli import app

runner = CliRunner()


def _run(data: Path, *args: str, input: str | None = None):
    return runner.invoke(
        app,
        [*args, "--data-dir", str(data)]
        if args[0] != "scheme" or args[1] != "validate"
        else list(args),
        input=input,
    )


def _samspill(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real entry point, as a user would, to see exit codes and stderr."""
    return subprocess.run(
        [sys.executable, "-c", "from samspill.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    assert _run(folder, "init").exit_code == 0
    return folder


def test_help_works_everywhere() -> None:
    for command in ([], ["scheme"], ["study"], ["events"], ["user"], ["token"], ["serve"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage" in result.output


def test_user_add_with_password_from_stdin_and_token(data: Path) -> None:
    added = _run(data, "user", "add", "ann", "--password-stdin", input="a long passphrase!\n")
    assert added.exit_code == 0
    token = _run(data, "token", "create", "--user", "ann")
    assert token.exit_code == 0 and token.output.strip().startswith("ssp_")


def test_short_password_is_one_line_error_with_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from samspill.cli import main; main()",
            "user",
            "add",
            "bob",
            "--password-stdin",
            "--data-dir",
            str(tmp_path / "d"),
        ],
        input="short\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Fix:" in result.stderr
    assert "Traceback" not in result.stderr


def test_scheme_validate_reports_every_error_with_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "lab.yaml"
    bad.write_text(
        "id: lab\nname: Lab\ncodes:\n  - {id: a, name: A, kind: point, subject: "
        "child, modifiers: [nope]}\nexclusive_groups:\n  - {id: g, codes: [a, b]}\n"
    )
    result = _samspill("scheme", "validate", str(bad))
    assert result.returncode == 2
    assert "lab.yaml:4" in result.stderr and "lab.yaml:6" in result.stderr
    assert "Traceback" not in result.stderr


def test_scheme_validate_accepts_the_builtins() -> None:
    root = Path(__file__).parents[1] / "src/samspill/core/schemes"
    schemes = [f for f in root.glob("*.yaml") if f.name.count(".") == 1]  # not <id>.nb.yaml
    assert len(schemes) == 3
    for file in schemes:
        assert runner.invoke(app, ["scheme", "validate", str(file)]).exit_code == 0


def test_unknown_study_is_exit_2_naming_it(data: Path) -> None:
    result = _samspill(
        "events",
        "export",
        "--study",
        "nope",
        "--session",
        "x",
        "--out",
        "-",
        "--data-dir",
        str(data),
    )
    assert result.returncode == 2 and "no study 'nope'" in result.stderr


def test_events_round_trip_through_csv(data: Path, tmp_path: Path) -> None:
    assert _run(data, "demo", "--no-video").exit_code == 0
    out = tmp_path / "events.csv"
    assert (
        _run(
            data, "events", "export", "--study", "demo", "--session", "vignette", "--out", str(out)
        ).exit_code
        == 0
    )
    text = out.read_text()
    assert text.splitlines()[0] == "subject,code,onset_ms,offset_ms,modifiers,comment"
    assert "child,bid,20000,,kind=show," in text
    assert _run(data, "user", "add", "cora").exit_code == 0
    imported = _run(
        data,
        "events",
        "import",
        str(out),
        "--study",
        "demo",
        "--session",
        "vignette",
        "--coder",
        "cora",
    )
    assert imported.exit_code == 0 and "imported 21 events" in imported.output


def test_bad_event_rows_are_named_and_nothing_is_imported(data: Path, tmp_path: Path) -> None:
    assert _run(data, "demo", "--no-video").exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "subject,code,onset_ms,offset_ms,modifiers,comment\n"
        "child,bid,1000,,kind=show,\n"
        "child,giggle,2000,,,\n"
        "caregiver,hold,5000,4000,,\n"
        "caregiver,far,abc,,,\n"
    )
    result = _samspill(
        "events",
        "import",
        str(bad),
        "--study",
        "demo",
        "--session",
        "vignette",
        "--data-dir",
        str(data),
    )
    assert result.returncode == 2
    assert "bad.csv: row 5" in result.stderr
    out = tmp_path / "after.csv"
    _run(data, "events", "export", "--study", "demo", "--session", "vignette", "--out", str(out))
    assert len(out.read_text().splitlines()) == 22


def test_study_export_and_import_round_trip_losslessly(data: Path, tmp_path: Path) -> None:
    assert _run(data, "demo").exit_code == 0
    archive = tmp_path / "demo.zip"
    assert _run(data, "study", "export", "--study", "demo", "--out", str(archive)).exit_code == 0
    other = tmp_path / "other"
    assert _run(other, "init").exit_code == 0
    assert _run(other, "study", "import", str(archive)).exit_code == 0
    again = tmp_path / "again.zip"
    assert _run(other, "study", "export", "--study", "demo", "--out", str(again)).exit_code == 0
    with zipfile.ZipFile(archive) as a, zipfile.ZipFile(again) as b:
        assert a.read("study.json") == b.read("study.json")
        assert sorted(a.namelist()) == sorted(b.namelist())
    copy = _run(data, "study", "import", str(archive), "--as", "demo-copy")
    assert copy.exit_code == 0


def test_a_damaged_archive_imports_nothing(data: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("study.json", '{"format": "samspill-study", "name": "x", "sessions": 3}')
    result = _samspill("study", "import", str(broken), "--data-dir", str(data))
    assert result.returncode == 2 and "malformed" in result.stderr
    listed = _run(data, "study", "list")
    assert "x " not in listed.output
