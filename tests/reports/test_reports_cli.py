"""`samspill report` on the demo study: a session report and a cohort report, and bad options."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from samspill.cli import app
from samspill.core.errors import InputError, NotFoundError
from tests.reports.conftest import pdf_text

runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "data"
    assert runner.invoke(app, ["demo", "--no-video", "--data-dir", str(folder)]).exit_code == 0
    return folder


def _report(data: Path, *args: str):
    return runner.invoke(app, ["report", "--study", "demo", *args, "--data-dir", str(data)])


def test_a_session_report_in_bokmal_as_pdf(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "vignette.pdf"
    result = _report(data, "--session", "vignette", "--out", str(out), "--lang", "nb")
    assert result.exit_code == 0, result.output
    text, _pages = pdf_text(out.read_bytes())
    assert "Øktrapport" in text and "Dyade D001" in text and "Prosedyre fri lek" in text
    # A template's segment (stored with its English name) is named in bokmål, as on the screen;
    # a name the coder typed stays as written; roles are translated with the scheme's words.
    assert "Fri lek vanlig 00:00.000" in text and "Separation atskillelse 02:00.000" in text


def test_the_cohort_report_as_html_from_the_suffix(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "cohort.html"
    result = _report(data, "--cohort", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "Cohort report" in page and "<svg" in page


def test_session_and_cohort_together_or_neither_is_refused(data: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "x.pdf")
    for args in (["--out", out], ["--cohort", "--session", "vignette", "--out", out]):
        result = _report(data, *args)
        assert isinstance(result.exception, InputError)
    assert not (tmp_path / "x.pdf").exists()


def test_an_unknown_coder_names_the_codings_there_are(data: Path, tmp_path: Path) -> None:
    result = _report(data, "--session", "vignette", "--coder", "nobody", "--out",
                     str(tmp_path / "x.pdf"))
    assert isinstance(result.exception, NotFoundError)
    assert "admin (master)" in str(result.exception)
