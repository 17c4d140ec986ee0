"""`samspill import elan` with --derive-scheme, --write-mapping and --mapping (issue 13), as a
user runs them on pympi's sample files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from samspill.cli import app
from samspill.core.errors import NotFoundError, SamspillError

runner = CliRunner()
SAMPLES = Path(__file__).parents[1] / "interop" / "pympi_samples"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "data"
    for args in (["init"], ["study", "create", "lab"]):
        assert runner.invoke(app, [*args, "--data-dir", str(folder)]).exit_code == 0
    return folder


@pytest.fixture
def data(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "data")
    return tmp_path / "data"


def _sample(version: str, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    to.write_bytes(gzip.decompress((SAMPLES / f"sample_{version}.eaf.gz").read_bytes()))
    return to


def _run(data: Path, *args: str, code: int = 0, stdin: str | None = None):
    result = runner.invoke(app, [*args, "--data-dir", str(data)], input=stdin)
    assert result.exit_code == code, result.output
    return result


def _refused(data: Path, *args: str) -> str:
    """The error a command stops with (``main()`` prints it and exits 2), with its fix."""
    result = runner.invoke(app, [*args, "--data-dir", str(data)])
    error = result.exception
    assert isinstance(error, SamspillError), result.output
    return str(error)  # "where: message. Fix: fix"


def _events(data: Path, tmp_path: Path) -> pd.DataFrame:
    out = tmp_path / "events.csv"
    result = runner.invoke(app, ["export", "events", "--study", "lab", "--out", str(out),
                                 "--data-dir", str(data)])
    if isinstance(result.exception, NotFoundError):  # no coding yet
        return pd.DataFrame({"session": [], "code": []})
    assert result.exit_code == 0, result.output
    return pd.read_csv(out)


def test_a_refused_file_points_to_derive_scheme_and_mapping(data: Path, tmp_path: Path) -> None:
    eaf = _sample("2.7", tmp_path / "sample_2.7.eaf")
    said = _refused(data, "import", "elan", str(eaf), "--study", "lab", "--procedure",
                    "free-play")
    assert said.startswith("sample_2.7.eaf: 1596 problem(s)")
    assert "--derive-scheme" in said and "--mapping" in said


@pytest.mark.parametrize("version", ["2.7", "2.8", "3.0"])
def test_derive_scheme_shows_it_and_imports_every_annotation(data: Path, tmp_path: Path,
                                                              version: str) -> None:
    eaf = _sample(version, tmp_path / f"sample_{version}.eaf")
    done = _run(data, "import", "elan", str(eaf), "--study", "lab", "--procedure",
                "free-play", "--derive-scheme", "--yes")
    shown = done.output.split("\nscheme ")[0]
    assert yaml.safe_load(shown)["id"] == f"elan-sample_{version}"
    assert "tier 'gestures' of gestures: 1197 annotation(s) → 1197 event(s)" in done.output
    assert f"4788 event(s), 1 new session(s); scheme elan-sample_{version} v1" in done.output
    events = _events(data, tmp_path)
    assert len(events) == 4788 and set(events["session"]) == {f"sample_{version}"}
    assert events["onset_ms"].dtype.kind == "i"


def test_derive_scheme_asks_first_and_a_no_stores_nothing(data: Path, tmp_path: Path) -> None:
    eaf = _sample("3.0", tmp_path / "s.eaf")
    done = _run(data, "import", "elan", str(eaf), "--study", "lab", "--procedure", "free-play",
                "--derive-scheme", stdin="n\n", code=1)
    assert "Store scheme elan-s and import 1 file(s) with it?" in done.output
    listed = _run(data, "scheme", "list").output
    assert "elan-s" not in listed


def test_a_written_mapping_imports_a_folder(data: Path, tmp_path: Path) -> None:
    first = _sample("2.7", tmp_path / "one" / "first.eaf")
    mapping = tmp_path / "gestures.yaml"
    _run(data, "import", "elan", str(first), "--study", "lab", "--procedure", "free-play",
         "--derive-scheme", "--yes", "--write-mapping", str(mapping))
    rules = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    assert rules["scheme"] == "elan-first"
    # keep only the gestures, as a lab would edit it
    rules["tiers"] = {"gestures": rules["tiers"]["gestures"]}
    mapping.write_text(yaml.safe_dump(rules), encoding="utf-8")
    folder = tmp_path / "folder"
    for version in ("2.8", "3.0"):
        _sample(version, folder / f"home-{version}.eaf")
    done = _run(data, "import", "elan", str(folder), "--study", "lab", "--procedure",
                "free-play", "--mapping", str(mapping))
    assert "imported 2 file(s): 2 coding(s), 2394 event(s), 2 new session(s); scheme " \
           "elan-first v1" in done.output
    assert "tier(s) not in the mapping, left out: text" in done.output
    events = _events(data, tmp_path)
    assert (events["session"] != "first").sum() == 2 * 1197


def test_write_mapping_onto_a_stored_scheme_marks_what_to_fill(data: Path,
                                                               tmp_path: Path) -> None:
    eaf = _sample("3.0", tmp_path / "s.eaf")
    out = tmp_path / "m.yaml"
    _run(data, "import", "elan", str(eaf), "--study", "lab", "--scheme", "withdrawal-open",
         "--write-mapping", str(out))
    rules = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert rules["scheme"] == "withdrawal-open"
    assert rules["tiers"]["gestures"] == {"subject": "?", "codes": {
        "prep": "?", "hold": "hold", "stroke": "?", "retr": "?"}}
    assert _events(data, tmp_path).empty  # nothing imported
    said = _refused(data, "import", "elan", str(eaf), "--study", "lab", "--procedure",
                    "free-play", "--mapping", str(out))
    assert "s.eaf: tier 'gestures': '?' is not a subject of scheme 'withdrawal-open'" in said
    rules["tiers"] = {"gestures": {"subject": "child", "codes": {
        "prep": None, "hold": "hold", "stroke": None, "retr": None}}}
    out.write_text(yaml.safe_dump(rules), encoding="utf-8")
    said = _refused(data, "import", "elan", str(eaf), "--study", "lab", "--procedure",
                    "free-play", "--mapping", str(out))
    assert said.startswith("s.eaf: 1 problem(s):\ns.eaf: tier 'gestures': code 'hold' does "
                           "not apply to subject 'child'")
    rules["tiers"] = {"gestures": {"subject": "caregiver", "codes": {
        "prep": None, "hold": "hold", "stroke": None, "retr": None}}}
    out.write_text(yaml.safe_dump(rules), encoding="utf-8")
    done = _run(data, "import", "elan", str(eaf), "--study", "lab", "--procedure",
                "free-play", "--mapping", str(out))
    assert "scheme withdrawal-open v1" in done.output
    events = _events(data, tmp_path)
    assert set(events["code"]) == {"hold"} and set(events["subject"]) == {"caregiver"}


def test_a_broken_file_in_a_mapped_folder_is_refused_whole(data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    good = _sample("3.0", folder / "a-good.eaf")
    broken = _sample("3.0", folder / "b-broken.eaf")
    broken.write_bytes(broken.read_bytes().replace(
        b'ANNOTATION_ID="a4391" CVE_REF="cveid1" TIME_SLOT_REF1="ts7"',
        b'ANNOTATION_ID="a4391" CVE_REF="cveid1" TIME_SLOT_REF1="ts1"', 1))
    (folder / "c-future.eaf").write_bytes(good.read_bytes().replace(
        b'VERSION="3.0"', b'VERSION="4.2"', 1).replace(b' FORMAT="3.0"', b"", 1))
    mapping = tmp_path / "m.yaml"
    _run(data, "import", "elan", str(good), "--study", "lab", "--procedure", "free-play",
         "--derive-scheme", "--yes", "--write-mapping", str(mapping))
    done = _run(data, "import", "elan", str(folder), "--study", "lab", "--procedure",
                "free-play", "--mapping", str(mapping), code=2)
    assert "refused 2 file(s), nothing of them stored:" in done.output
    assert "b-broken.eaf: " in done.output and "tier 'gestures' at 00:01.800: two " \
        "annotations overlap" in done.output
    assert "c-future.eaf: ELAN format version '4.2' is unknown" in done.output
    assert set(_events(data, tmp_path)["session"]) == {"a-good"}


def test_mapping_and_derive_scheme_exclude_each_other(data: Path, tmp_path: Path) -> None:
    eaf = _sample("3.0", tmp_path / "s.eaf")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("format: samspill-elan-mapping/1\ntiers: {}\n", encoding="utf-8")
    said = _refused(data, "import", "elan", str(eaf), "--study", "lab", "--mapping",
                    str(mapping), "--derive-scheme")
    assert "exclude each other" in said
    mapping.write_text("tiers:\n  gestures: {colour: red}\n", encoding="utf-8")
    said = _refused(data, "import", "elan", str(eaf), "--study", "lab", "--mapping",
                    str(mapping))
    assert said.startswith("m.yaml: the mapping file is not valid (tiers.gestures.colour")
