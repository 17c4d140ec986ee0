"""`samspill export …`, `samspill import …` and `samspill sequential study` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from samspill.cli import app, main

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "data"
    for args in (["init"], ["demo", "--no-video"], ["user", "add", "cora"]):
        assert runner.invoke(app, [*args, "--data-dir", str(folder)]).exit_code == 0
    return folder


@pytest.fixture
def data(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    return folder


def _run(data: Path, *args: str):
    result = runner.invoke(app, [*args, "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return result


def _samspill(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point in a new process, as a user runs it (exit code and stderr)."""
    return subprocess.run([sys.executable, "-c", "from samspill.cli import main; main()", *args,
                           "--data-dir", str(data)], capture_output=True, text=True, timeout=120)


def _main(data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
          *args: str) -> tuple[int, str]:
    """``main()`` in this process (cheaper than a new one): exit status and stderr."""
    monkeypatch.setattr(sys, "argv", ["samspill", *args, "--data-dir", str(data)])
    with pytest.raises(SystemExit) as stopped:
        main()
    return int(stopped.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "parquet"])
def test_export_cohort_writes_each_format(data: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"cohort.{fmt}"
    _run(data, "export", "cohort", "--study", "demo", "--session", "vignette", "--format", fmt,
         "--out", str(out))
    reader = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet,
              "sav": pd.read_spss}[fmt]
    table = reader(out)
    assert table["session"].tolist() == ["vignette"] and "unanswered_share" in table.columns


def test_boris_export_imports_into_a_new_study_for_another_coder(data: Path,
                                                                  tmp_path: Path) -> None:
    project = tmp_path / "demo.boris"
    _run(data, "export", "boris", "--study", "demo", "--session", "vignette", "--out",
         str(project))
    _run(data, "study", "create", "copy")
    done = _run(data, "import", "boris", str(project), "--study", "copy", "--coder", "cora")
    assert "1 coding(s), 21 event(s), 1 new session(s)" in done.output
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    _run(data, "export", "events", "--study", "demo", "--session", "vignette", "--out", str(a))
    _run(data, "export", "events", "--study", "copy", "--out", str(b))
    keep = ["dyad", "session", "subject", "code", "onset_ms", "offset_ms", "modifiers"]
    first, second = pd.read_csv(a)[keep], pd.read_csv(b)[keep]
    pd.testing.assert_frame_equal(first, second)
    assert set(pd.read_csv(b)["coder"]) == {"cora"}


def test_elan_and_sdis_exports_and_an_elan_import(data: Path, tmp_path: Path) -> None:
    eaf, sds = tmp_path / "v.eaf", tmp_path / "demo.sds"
    _run(data, "export", "elan", "--study", "demo", "--session", "vignette", "--tiers",
         "subject-dimension", "--out", str(eaf))
    _run(data, "export", "sdis", "--study", "demo", "--out", str(sds))
    assert sds.read_text().count("<vignette>") == 1
    done = _run(data, "import", "elan", str(eaf), "--study", "demo", "--session", "vignette",
                "--coder", "cora")
    assert "21 event(s), 0 new session(s)" in done.output


def test_a_mapped_csv_imports_with_seconds(data: Path, tmp_path: Path) -> None:
    source = tmp_path / "obs.csv"
    source.write_text("Who,What,At\nchild,bid,1.5\ncaregiver,respond,2.25\n")
    done = _run(data, "import", "csv", str(source), "--study", "demo", "--mapping",
                "Who=subject,What=code,At=onset_ms", "--time-unit", "s", "--dyad", "D2",
                "--procedure", "free-play")
    assert "2 event(s), 1 new session(s)" in done.output
    out = tmp_path / "back.csv"
    _run(data, "export", "events", "--study", "demo", "--session", "obs", "--out", str(out))
    assert pd.read_csv(out)["onset_ms"].tolist() == [1500, 2250]


def test_export_predictors_feeds_the_file_based_outcomes_command(data: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    _run(data, "export", "predictors", "--study", "demo", "--out", str(out))
    cohort = tmp_path / "c.csv"
    _run(data, "export", "cohort", "--study", "demo", "--out", str(cohort))
    table = pd.read_csv(out)
    assert sorted(table["dyad"]) == sorted(set(pd.read_csv(cohort)["dyad"]))
    assert list(table.columns[:3]) == ["dyad", "initiative_share", "response_latency_median_ms"]


def test_sequential_study_runs_the_withdrawal_query_on_stored_codings(data: Path) -> None:
    result = _run(data, "sequential", "study", "--study", "demo", "--session", "vignette",
                  "--format", "json")
    rows = json.loads(result.output)
    assert [r["session"] for r in rows] == ["vignette", "(pooled)"]
    assert rows[0]["n_given"] == 7
    lag = _run(data, "sequential", "study", "--study", "demo", "--query", "lag")
    assert "adjusted_residual" in lag.output


def test_every_pooling_command_takes_one_coding_per_session(data: Path, tmp_path: Path) -> None:
    """cora codes the vignette too: sequential study, the cohort export and the cohort report
    take its master alone unless --one-per-session off; coder:cora still takes the master."""
    from samspill.cli.common import unit_of_work
    from samspill.services import codings, studies
    from samspill.services.accounts import get_user
    from samspill.services.schemes import latest_version

    with unit_of_work(data) as (db, _):
        study = studies.get_study(db, "demo")
        studies.set_role(db, study=study, user=get_user(db, "cora"), role="coder")
        session = studies.get_session(db, study=study, name="vignette")
        master = codings.codings_of(db, session)[0]
        second = codings.create_coding(db, session=session, coder=get_user(db, "cora"),
                                       scheme_version=latest_version(db, "withdrawal-open"))
        codings.replace_events(db, coding=second, events=[
            e.model_copy(update={"id": f"cora-{n}"})
            for n, e in enumerate(codings.coding_events(db, master))])
        codings.set_status(db, coding=second, status="submitted")
        master_coder = master.coder.username

    def sequences(*extra: str) -> list[str]:
        out = _run(data, "sequential", "study", "--study", "demo", "--session", "vignette",
                   "--format", "json", *extra)
        return [r["session"] for r in json.loads(out.output)]

    assert sequences() == ["vignette", "(pooled)"]
    assert sequences("--one-per-session", "coder:cora") == ["vignette", "(pooled)"]
    assert sorted(sequences("--one-per-session", "off")) == sorted(
        ["(pooled)", f"vignette.{master_coder}", "vignette.cora"])
    one, every = tmp_path / "one.csv", tmp_path / "every.csv"
    _run(data, "export", "cohort", "--study", "demo", "--session", "vignette",
         "--no-stability", "--out", str(one))
    _run(data, "export", "cohort", "--study", "demo", "--session", "vignette",
         "--no-stability", "--one-per-session", "off", "--out", str(every))
    assert pd.read_csv(one)["coder"].tolist() == [master_coder]
    assert sorted(pd.read_csv(every)["coder"]) == sorted([master_coder, "cora"])
    report = tmp_path / "cohort.html"
    _run(data, "report", "--study", "demo", "--cohort", "--one-per-session", "off",
         "--out", str(report))
    assert "every coding (a double-coded session counts once per coding)" in report.read_text()
    refused = runner.invoke(app, ["report", "--study", "demo", "--session", "vignette",
                                  "--one-per-session", "off", "--out", str(report),
                                  "--data-dir", str(data)])
    assert "--cohort" in str(refused.exception) + str(getattr(refused.exception, "fix", ""))


def test_sequential_study_writes_the_lag_table_with_the_cli_options(data: Path,
                                                                   tmp_path: Path) -> None:
    printed = json.loads(_run(data, "sequential", "study", "--study", "demo", "--query", "lag",
                              "--only", "bid,respond,hold", "--lag", "1-2",
                              "--format", "json").output)
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"lag.{fmt}"
        said = _run(data, "sequential", "study", "--study", "demo", "--query", "lag",
                    "--only", "bid,respond,hold", "--lag", "1-2", "--out", str(out))
        assert f"{len(printed)} rows written to {out}" in said.output
        written = (pd.read_json(out) if fmt == "json" else pd.read_excel(out) if fmt == "xlsx"
                   else pd.read_csv(out))
        pooled = [r for r in printed if r["session"] == "(pooled)"]
        assert len(written) == len(printed)
        assert list(written["session"][: len(pooled)]) == ["(pooled)"] * len(pooled)
        assert set(written["given"]) <= {"bid", "respond", "hold"}
        assert sorted(written["count"]) == sorted(r["count"] for r in printed)
    tests = _run(data, "sequential", "study", "--study", "demo", "--query", "lag",
                 "--tablewise", "--format", "json")
    assert "g2" in tests.output.lower() or "chi2" in tests.output.lower()


def test_sequential_study_refuses_an_out_file_of_unknown_kind(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    status, err = _main(data, capsys, monkeypatch, "sequential", "study", "--study", "demo",
                        "--out", str(tmp_path / "lag.sav"))
    assert status == 2 and "csv, xlsx or json" in err and not (tmp_path / "lag.sav").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["export", "cohort", "--study", "nope", "--out", "x.csv"], "no study 'nope'"),
    (["sequential", "study", "--study", "demo", "--one-per-session", "all"], "coder:NAME"),
    (["import", "boris", "missing.boris", "--study", "demo"], "cannot read"),
    (["import", "csv", "{bad}", "--study", "demo", "--mapping", "Who"], "column=field"),
    (["export", "elan", "--study", "demo", "--session", "nope", "--out", "x.eaf"],
     "no session 'nope'"),
])
def test_bad_input_is_one_line_with_exit_2(data: Path, tmp_path: Path, args: list[str],
                                            message: str, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    status, err = _main(data, capsys, monkeypatch, *[a.replace("{bad}", str(bad)) for a in args])
    assert status == 2 and message in err and err.startswith("error: ")


def test_a_hostile_project_is_refused_and_nothing_is_imported(data: Path,
                                                             tmp_path: Path) -> None:
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    _run(data, "export", "events", "--study", "demo", "--out", str(before))
    evil = tmp_path / "evil.boris"
    evil.write_text('{"behaviors_conf": {}, "observations": {"o": {"events": [[1, 2]]}}}')
    result = _samspill(data, "import", "boris", str(evil), "--study", "demo")
    assert result.returncode == 2 and "evil.boris" in result.stderr
    _run(data, "export", "events", "--study", "demo", "--out", str(after))
    assert before.read_bytes() == after.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "parquet"])
def test_export_without_format_writes_what_the_file_name_says(data: Path, tmp_path: Path,
                                                              fmt: str) -> None:
    out = tmp_path / f"cohort.{fmt.upper() if fmt == 'sav' else fmt}"
    _run(data, "export", "cohort", "--study", "demo", "--session", "vignette", "--out", str(out))
    reader = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet,
              "sav": pd.read_spss}[fmt]
    assert reader(out)["session"].tolist() == ["vignette"]


@pytest.mark.parametrize(("args", "said"), [
    (["export", "cohort", "--out", "{dir}/cohort.dta"],
     "cannot tell the table format of cohort.dta (.dta)"),
    (["export", "events", "--out", "{dir}/events"], "cannot tell the table format of events"),
    (["export", "cohort", "--out", "{dir}/cohort.sav", "--format", "csv"],
     "cohort.sav is named as a .sav file but --format is csv"),
    (["cohort", "--out", "{dir}/cohort.sav"],
     "samspill cohort writes CSV, and cohort.sav is named as a .sav file"),
])
def test_a_file_name_that_names_no_format_or_another_is_refused(
        data: Path, tmp_path: Path, args: list[str], said: str,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    status, err = _main(data, capsys, monkeypatch, *[a.replace("{dir}", str(out))
                                                     for a in args], "--study", "demo")
    assert status == 2 and said in err and "Fix:" in err
    assert "--format" in err or "samspill export cohort" in err
    assert list(out.iterdir()) == [], "nothing is written"


def _lab_boris(procedure: str | None) -> bytes:
    """A BORIS project whose second 'hold' row lies past the media length it records."""
    variables = {"procedure": procedure} if procedure else {}
    return json.dumps({
        "project_name": "lab", "project_format_version": "7.0",
        "subjects_conf": {"0": {"key": "1", "name": "caregiver", "description": ""}},
        "behaviors_conf": {"0": {"type": "State event", "key": "h", "code": "hold",
                                 "description": "", "category": "", "modifiers": {},
                                 "excluded": "", "coding map": ""}},
        "observations": {"home 1": {
            "type": "MEDIA", "file": {"1": ["cam.mp4"]}, "independent_variables": variables,
            "media_info": {"length": {"cam.mp4": 30.0}},
            "events": [[2.0, "caregiver", "hold", "", ""], [31.5, "caregiver", "hold", "", ""]]}},
    }).encode()


def test_the_cli_prints_the_media_length_warning_and_asks_for_a_procedure(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "home.boris"
    source.write_bytes(_lab_boris(None))
    status, err = _main(data, capsys, monkeypatch, "import", "boris", str(source), "--study",
                        "demo", "--dyad", "D9")
    assert status == 2 and "do not say their procedure ('home 1')" in err
    done = _run(data, "import", "boris", str(source), "--study", "demo", "--dyad", "D9",
                "--procedure", "ssp")
    assert ("warning: observation 'home 1': events run until 31.5 s, past the media length "
            "the file records (30 s); the session's length was set to 31.5 s") in " ".join(
        done.output.split())


def _events_folder(folder: Path) -> Path:
    """Two good events CSVs, one whose code the scheme does not have, and a subfolder file."""
    (folder / "deeper").mkdir(parents=True)
    (folder / "b-home.csv").write_text("subject,code,onset_ms\nchild,bid,1000\n"
                                       "caregiver,respond,1500\n")
    (folder / "a-lab.csv").write_text("subject,code,onset_ms\nchild,bid,500\n")
    (folder / "c-bad.csv").write_text("subject,code,onset_ms\nchild,bid,200\nchild,dance,900\n")
    (folder / "notes.txt").write_text("not a coding file")
    (folder / "deeper" / "d-sub.csv").write_text("subject,code,onset_ms\nchild,bid,700\n")
    return folder


def _sessions(data: Path, tmp_path: Path) -> list[str]:
    out = tmp_path / "now.csv"
    _run(data, "export", "events", "--study", "demo", "--out", str(out))
    return sorted(set(pd.read_csv(out)["session"]))


def test_a_folder_imports_its_good_files_and_refuses_the_bad_one_whole(
        data: Path, tmp_path: Path) -> None:
    folder = _events_folder(tmp_path / "codings")
    before = _sessions(data, tmp_path)
    result = runner.invoke(app, ["import", "csv", str(folder), "--study", "demo", "--dyad",
                                 "D7", "--procedure", "free-play", "--data-dir", str(data)])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("imported 2 file(s): 2 coding(s), 3 event(s), 2 new session(s); "
                        "scheme withdrawal-open v1")
    assert lines[1] == "refused 1 file(s), nothing of them stored:"
    assert lines[2].startswith("  c-bad.csv: ") and "dance" in result.output
    assert "Fix:" in result.output and "c-bad.csv: c-bad.csv" not in result.output
    assert "d-sub" not in result.output
    assert _sessions(data, tmp_path) == sorted([*before, "a-lab", "b-home"])


def test_a_folder_with_recursive_takes_its_subfolders_and_all_good_exits_0(
        data: Path, tmp_path: Path) -> None:
    folder = _events_folder(tmp_path / "codings")
    (folder / "c-bad.csv").unlink()
    done = _run(data, "import", "csv", str(folder), "--study", "demo", "--dyad", "D7",
                "--procedure", "free-play", "--recursive")
    assert done.output.startswith("imported 3 file(s): 3 coding(s), 4 event(s)")
    assert "d-sub" in _sessions(data, tmp_path)


@pytest.mark.parametrize(("make", "args", "message"), [
    (lambda f: None, [], "holds no .csv file in it. Fix: check the folder, or give --recursive"),
    (lambda f: (f / "x").mkdir() or (f / "x" / "a.eaf").write_text(""), ["--recursive"],
     "holds no .csv file in it or its subfolders"),
    (lambda f: (f / "a.csv").write_text(""), ["--session", "s1"],
     "--session s1 names one session, but"),
])
def test_a_folder_without_files_or_with_one_session_is_a_clear_error(
        data: Path, tmp_path: Path, make: Callable[[Path], object], args: list[str],
        message: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    make(folder)
    status, err = _main(data, capsys, monkeypatch, "import", "csv", str(folder), "--study",
                        "demo", *args)
    assert status == 2 and err.startswith("error: ") and message in err, err


def test_a_folder_of_elan_and_boris_files_imports_each(data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    _run(data, "export", "elan", "--study", "demo", "--session", "vignette", "--out",
         str(folder / "vignette.eaf"))
    _run(data, "export", "boris", "--study", "demo", "--session", "vignette", "--out",
         str(folder / "vignette.boris"))
    _run(data, "study", "create", "copy")
    done = _run(data, "import", "boris", str(folder), "--study", "copy", "--coder", "cora")
    assert done.output.startswith("imported 1 file(s): 1 coding(s), 21 event(s)")
    done = _run(data, "import", "elan", str(folder), "--study", "copy")
    assert done.output.startswith("imported 1 file(s): 1 coding(s), 21 event(s), 0 new")
