"""`samspill transcript import|export`: a text file in, the same entries out as text, Word and
PDF; a bad line named with exit 2 and nothing imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from samspill.core.transcript import parse_transcript
from tests.test_cli import _run, _samspill

WHERE = ("--study", "demo", "--session", "vignette")
TEXT = "00:20 Maria holds up a toy towards her mother [bid]\n00:24 mother looks away\n"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    assert _run(folder, "init").exit_code == 0
    assert _run(folder, "demo", "--no-video").exit_code == 0
    return folder


def test_a_transcript_imported_from_text_exports_as_the_same_entries(demo: Path,
                                                                      tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text(TEXT, encoding="utf-8")
    imported = _run(demo, "transcript", "import", str(source), *WHERE, "--locked")
    assert imported.exit_code == 0, imported.output
    assert "imported 2 entries" in imported.output
    out = tmp_path / "out.txt"
    assert _run(demo, "transcript", "export", *WHERE, "--out", str(out)).exit_code == 0
    again = parse_transcript(out.read_text(encoding="utf-8"))
    assert [(e.time_ms, e.text) for e in again] == [
        (e.time_ms, e.text) for e in parse_transcript(TEXT)]
    for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        path = tmp_path / f"out.{fmt}"
        assert _run(demo, "transcript", "export", *WHERE, "--format", fmt, "--lang", "nb",
                    "--out", str(path)).exit_code == 0
        assert path.read_bytes().startswith(magic)


def test_a_bad_line_is_named_and_nothing_is_imported(demo: Path, tmp_path: Path) -> None:
    before = tmp_path / "before.txt"
    assert _run(demo, "transcript", "export", *WHERE, "--out", str(before)).exit_code == 0
    bad = tmp_path / "bad.txt"
    bad.write_text("00:20 fine\n00:99 a typo\n", encoding="utf-8")
    result = _samspill("transcript", "import", str(bad), *WHERE, "--locked",
                       "--data-dir", str(demo))
    assert result.returncode == 2
    assert "line 2" in result.stderr and "'00:99' is not a time" in result.stderr
    out = tmp_path / "after.txt"
    assert _run(demo, "transcript", "export", *WHERE, "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == before.read_text(encoding="utf-8")


def test_a_submitted_coding_takes_a_transcript_only_when_asked(demo: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text(TEXT, encoding="utf-8")
    result = _samspill("transcript", "import", str(source), *WHERE, "--data-dir", str(demo))
    assert result.returncode == 2 and "locked" in result.stderr


def test_a_study_archive_carries_the_transcripts(demo: Path, tmp_path: Path) -> None:
    archive = tmp_path / "demo.zip"
    assert _run(demo, "study", "export", "--study", "demo", "--out", str(archive)).exit_code == 0
    other = tmp_path / "other"
    assert _run(other, "init").exit_code == 0
    assert _run(other, "study", "import", str(archive)).exit_code == 0
    here, there = tmp_path / "here.txt", tmp_path / "there.txt"
    assert _run(demo, "transcript", "export", *WHERE, "--out", str(here)).exit_code == 0
    assert _run(other, "transcript", "export", *WHERE, "--out", str(there)).exit_code == 0
    assert len(parse_transcript(here.read_text(encoding="utf-8"))) > 10
    body = [text.read_text(encoding="utf-8").split("\n", 1)[1] for text in (here, there)]
    assert body[0] == body[1]  # the first line names the coding's number, new on import
