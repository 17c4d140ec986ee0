"""`samspill export tidy|binned|redcap|bids` and their web forms on the lab study (v1 coded by
own (master), cod and cod2; v2 by own), as a user runs them; REDCap is a local fake."""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyreadr
import pytest
from fastapi.testclient import TestClient

from samspill.cli import main
from samspill.core.vignette import VIGNETTE_DURATION_MS
from samspill.services import studies
from samspill.services.accounts import get_user
from samspill.store.media import media_path
from samspill.store.models import DyadIdentity, MediaFile
from tests.exchange.conftest import Lab, finished, login
from tests.exchange.test_web_exchange import _download
from tests.fake_redcap import TOKEN, fake_redcap

CHILD_NAME = "Ingrid Testesen"


def _cli(lab: Lab, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
         *args: str) -> tuple[int, str]:
    """``main()`` as a user runs it: exit status and everything printed."""
    data = str(lab.database.settings.data_dir)
    monkeypatch.setattr(sys, "argv", ["samspill", *args, "--data-dir", data])
    with pytest.raises(SystemExit) as stopped:
        main()
    said = capsys.readouterr()
    return int(stopped.value.code or 0), said.out + said.err


def _ok(lab: Lab, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        *args: str) -> str:
    status, said = _cli(lab, capsys, monkeypatch, *args)
    assert status == 0, said
    return said


def _cells(series: pd.Series) -> list[str]:
    """Each cell as text, a missing one as "" (R's NA and CSV's empty cell alike)."""
    return ["" if pd.isna(x) else str(int(x)) if isinstance(x, float) and x.is_integer()
            else str(x) for x in series.astype(object)]


def test_tidy_rds_reads_back_as_the_tidy_csv_with_its_codebook(
        lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for fmt in ("csv", "rds"):
        _ok(lab, capsys, monkeypatch, "export", "tidy", "--study", "lab", "--out",
            str(tmp_path / f"t.{fmt}"), "--raw-cells")
    table = pd.read_csv(tmp_path / "t.csv", keep_default_na=False, na_values=[""])
    back = pyreadr.read_r(tmp_path / "t.rds")[None].reset_index(drop=True)
    assert list(back.columns) == list(table.columns) and len(back) == len(table)
    assert set(table["coding_id"]) == set(lab.coding_ids.values())  # every coding
    for column in table.columns:
        assert _cells(back[column]) == _cells(table[column]), column
    # Three codings of v1 in the order they were started: passes 1, 2, 3.
    v1 = table[table["session"] == "v1"].groupby("coder")["pass"].first()
    assert sorted(v1) == [1, 2, 3] and v1["own"] == 1
    assert set(table["provenance"]) == {"coded"}
    book = (tmp_path / "t.codebook.md").read_text()
    assert "| provenance | Provenance of the coding | category | factor |" in book
    assert "| onset_ms | Onset | integer | integer | ms |" in book


def test_one_per_session_and_unknown_or_empty_studies(
        lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _ok(lab, capsys, monkeypatch, "export", "tidy", "--study", "lab", "--out",
        str(tmp_path / "t.parquet"), "--one-per-session", "auto", "--no-codebook")
    table = pd.read_parquet(tmp_path / "t.parquet")
    assert set(table["coding_id"]) == {lab.coding_ids["own"], lab.coding_ids["v2"]}
    assert not (tmp_path / "t.codebook.md").exists()
    with lab.database.session() as db:
        studies.create_study(db, name="empty", owner=get_user(db, "own"))
    for command in (["tidy", "--out", str(tmp_path / "e.csv")],
                    ["binned", "--out", str(tmp_path / "e.csv")],
                    ["redcap", "--out", str(tmp_path / "rc")],
                    ["bids", "--out", str(tmp_path / "bids")]):
        for study, said in (("nope", "no study 'nope'"), ("empty", "has no coding")):
            status, text = _cli(lab, capsys, monkeypatch, "export", command[0], "--study",
                                study, *command[1:])
            assert status == 2 and said in text and "Fix:" in text, (command, text)
    assert not (tmp_path / "e.csv").exists() and not (tmp_path / "bids").exists()


def test_binned_has_one_row_per_bin_of_each_session(
        lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    said = _ok(lab, capsys, monkeypatch, "export", "binned", "--study", "lab", "--bin-ms",
               "1000", "--out", str(tmp_path / "b.csv"))
    table = pd.read_csv(tmp_path / "b.csv")
    per_session = -(-VIGNETTE_DURATION_MS // 1000)
    assert len(table) == 2 * per_session and f"{2 * per_session:,} bins" in said
    assert table.groupby("session")["bin"].max().tolist() == [per_session - 1] * 2
    codes = [c for c in table.columns if "__" in c]
    assert "child__bid" in codes and set(table[codes].stack()) <= {0, 1}
    assert (tmp_path / "b.codebook.md").is_file()


@pytest.mark.parametrize(("args", "said"), [
    (["--bin-ms", "0", "--out", "{dir}/b.csv"], "at least 1 ms, not 0"),
    (["--bin-ms", "-5", "--out", "{dir}/b.csv"], "at least 1 ms, not -5"),
    (["--out", "{dir}/b.xlsx"], "written as csv or parquet, not xlsx"),
])
def test_bad_binned_options_are_refused(
        lab: Lab, tmp_path: Path, args: list[str], said: str,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    status, text = _cli(lab, capsys, monkeypatch, "export", "binned", "--study", "lab",
                        *[a.replace("{dir}", str(out)) for a in args])
    assert status == 2 and said in text and "Fix:" in text
    assert list(out.iterdir()) == []  # nothing written


def test_redcap_files_and_the_push_to_a_local_fake(
        lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    with fake_redcap() as project:
        said = _ok(lab, capsys, monkeypatch, "export", "redcap", "--study", "lab", "--out",
                   str(tmp_path / "rc"), "--url", project.url, "--token-file", str(token_file),
                   "--no-stability")
    assert TOKEN not in said and "pushed 2 record(s)" in said
    records = pd.read_csv(tmp_path / "rc" / "lab-redcap-records.csv", dtype=str)
    with (tmp_path / "rc" / "lab-redcap-dictionary.csv").open(encoding="utf-8") as handle:
        dictionary = list(csv.reader(handle))
    assert dictionary[0][:4] == ["Variable / Field Name", "Form Name", "Section Header",
                                 "Field Type"]
    assert [row[0] for row in dictionary[1:]] == list(records.columns)
    assert [r["record_id"] for r in project.records] == records["record_id"].tolist() == [
        "v1", "v2"]
    assert all(len(name) <= 26 for name in records.columns)


@pytest.mark.parametrize(("args", "said"), [
    ([], "neither --out nor --url"),
    (["--url", "https://redcap.example.org/api/"], "--url needs --token-file"),
    (["--out", "{dir}/rc", "--token-file", "{dir}/t"], "--token-file is only used with --url"),
    (["--url", "https://redcap.example.org/api/", "--token-file", "{dir}/missing"],
     "cannot read the token file"),
    (["--url", "https://redcap.example.org/", "--token-file", "{dir}/t"],
     "is not a REDCap API address"),
])
def test_bad_redcap_options_are_refused(
        lab: Lab, tmp_path: Path, args: list[str], said: str,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").write_text(TOKEN)
    status, text = _cli(lab, capsys, monkeypatch, "export", "redcap", "--study", "lab",
                        "--no-stability", *[a.replace("{dir}", str(tmp_path)) for a in args])
    assert status == 2 and said in text and "Fix:" in text and TOKEN not in text


def test_a_wrong_token_is_refused_without_being_shown(
        lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "A" * 32
    (tmp_path / "t").write_text(wrong)
    with fake_redcap() as project:
        status, text = _cli(lab, capsys, monkeypatch, "export", "redcap", "--study", "lab",
                            "--no-stability", "--url", project.url, "--token-file",
                            str(tmp_path / "t"))
    assert status == 2 and "REDCap refused the import" in text and wrong not in text
    assert project.records == []


def _with_video_and_identity(lab: Lab) -> bytes:
    """v2 gets a stored video, D02 a child's name (which must never leave)."""
    body = b"\x00\x00\x00\x18ftypmp42 a tiny stand-in"
    sha = "ab" * 32
    path = media_path(lab.database.settings.media_dir, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        session = studies.get_session(db, study=study, name="v2")
        db.add(MediaFile(session_id=session.id, sha256=sha, filename=f"{CHILD_NAME}.MP4",
                         content_type="video/mp4", size_bytes=len(body),
                         duration_ms=VIGNETTE_DURATION_MS, fps=25.0, offset_ms=0))
        db.add(DyadIdentity(dyad_id=session.dyad_id, child_name=CHILD_NAME))
    return body


def test_bids_copies_the_videos_and_names_no_one(
        lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    body = _with_video_and_identity(lab)
    out = tmp_path / "bids"
    said = _ok(lab, capsys, monkeypatch, "export", "bids", "--study", "lab", "--out", str(out))
    assert "2 participant(s), 2 events file(s) and 1 video(s)" in said
    beh = out / "sub-D02" / "ses-v2" / "beh"
    assert (beh / "sub-D02_ses-v2_task-freeplay_video.mp4").read_bytes() == body
    events = pd.read_csv(beh / "sub-D02_ses-v2_task-freeplay_events.tsv", sep="\t")
    assert list(events.columns[:3]) == ["onset", "duration", "trial_type"]
    assert (events["onset"] * 1000).round().astype(int).tolist() == events["onset_ms"].tolist()
    for path in out.rglob("*"):
        if path.is_file():
            assert CHILD_NAME.encode() not in path.read_bytes(), path
            assert "Ingrid" not in path.name
    status, text = _cli(lab, capsys, monkeypatch, "export", "bids", "--study", "lab", "--out",
                        str(out))
    assert status == 2 and "not an empty folder" in text  # nothing is overwritten


def test_the_web_offers_tidy_rds_binned_and_a_bids_zip(
        lab: Lab, web: TestClient, tmp_path: Path) -> None:
    csrf = login(web, "own")
    form = web.get("/studies/lab/exchange").text
    assert 'value="tidy"' in form and 'value="rds"' in form and 'name="bin_ms"' in form
    assert 'value="bids"' in form
    started = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "tidy",
                                                    "format": "rds"})
    page = finished(web, started, "own")
    assert "Codebook: the file" in page.text and "Provenance of the coding" in page.text
    (tmp_path / "t.rds").write_bytes(_download(web, page))
    tidy = pyreadr.read_r(tmp_path / "t.rds")[None]
    assert set(tidy["coding_id"]) == set(lab.coding_ids.values())
    bins = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "binned",
                                                 "format": "parquet", "bin_ms": "40"})
    table = pd.read_parquet(io.BytesIO(_download(web, finished(web, bins, "own"))))
    assert len(table) == 2 * -(-VIGNETTE_DURATION_MS // 40)
    zipped = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "bids"})
    with zipfile.ZipFile(io.BytesIO(_download(web, finished(web, zipped, "own")))) as archive:
        names = archive.namelist()
        description = json.loads(archive.read("lab-bids/dataset_description.json"))
    assert "lab-bids/participants.tsv" in names and description["Name"]
    assert sum(n.endswith("_events.tsv") for n in names) == 2
    refused = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "binned",
                                                    "bin_ms": "0"})
    assert refused.status_code == 400 and "at least 1 ms" in refused.text


def test_the_norwegian_form_names_the_new_exports(lab: Lab, web: TestClient) -> None:
    login(web, "own")
    web.cookies.set("lang", "nb")
    form = web.get("/studies/lab/exchange", headers={"Accept-Language": "nb"}).text
    assert "For maskinlæring og deling" in form and "Ryddige hendelser" in form
