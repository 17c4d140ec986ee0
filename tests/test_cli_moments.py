"""`samspill moments` and `samspill reel export` as a user types them (issue 23)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import imageio_ffmpeg
from typer.testing import CliRunner

from samspill.cli import app
from samspill.cli.common import open_database
from samspill.core.events import Event
from samspill.services import accounts, codings, media, studies
from samspill.services import moments as moment_service
from samspill.services.schemes import latest_version
from samspill.store.models import AuditEntry

runner = CliRunner()


def _study(data: Path, video: Path) -> None:
    database = open_database(data)
    try:
        with database.session() as db:
            owner = accounts.add_user(db, username="ola", password=None)
            owner.can_create_studies = True
            study = studies.create_study(db, name="lab", owner=owner)
            dyad = studies.get_or_create_dyad(db, study=study, code="D7")
            session = studies.create_session(db, study=study, dyad=dyad, name="s1",
                                             duration_ms=20_000)
            media.attach_file(db, session=session, media_dir=database.settings.media_dir,
                              source=video)
            coding = codings.create_coding(db, session=session, coder=owner,
                                           scheme_version=latest_version(db, "withdrawal-open"))
            codings.replace_events(db, coding=coding, events=[
                Event(subject="child", code="bid", onset_ms=4000, modifiers={"kind": "reach"}),
                Event(subject="caregiver", code="respond", onset_ms=4500,
                      modifiers={"channel": "physical", "intensity": "full"})])
    finally:
        database.dispose()


def test_list_the_proposals_then_export_the_reel(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=s=96x64:r=25:d=20", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    str(video)], check=True, timeout=60)
    data = tmp_path / "data"
    _study(data, video)
    wide = {"COLUMNS": "200"}  # whole phrases in the table, whatever the terminal running this
    listed = runner.invoke(app, ["moments", "--study", "lab", "--session", "s1",
                                 "--data-dir", str(data)], env=wide)
    assert listed.exit_code == 0, listed.output
    assert "suggestions" in listed.output and "a bid answered promptly and fully" in listed.output
    assert "prompt_full_answer" not in listed.output and "Good moment" in listed.output
    norsk = runner.invoke(app, ["moments", "--study", "lab", "--session", "s1", "--lang", "nb",
                                "--data-dir", str(data)], env=wide)
    assert norsk.exit_code == 0, norsk.output
    assert "forslag" in norsk.output and "et signal besvart raskt og fullt" in norsk.output
    assert "Godt øyeblikk" in norsk.output and "Good moment" not in norsk.output
    found = json.loads(runner.invoke(app, ["moments", "--study", "lab", "--session", "s1",
                                           "--json", "--data-dir", str(data)]).output)
    first = found["proposals"][0]
    key = first["key"]
    empty = runner.invoke(app, ["reel", "export", "--study", "lab", "--session", "s1",
                                "--out", str(tmp_path / "r.mp4"), "--data-dir", str(data)])
    assert empty.exit_code != 0 and "accept at least one" in str(empty.exception)
    database = open_database(data)
    try:
        with database.session() as db:
            session = studies.get_session(db, study=studies.get_study(db, "lab"), name="s1")
            moment_service.decide(db, session, key=key, status="accepted", member=None,
                                  user=None)
    finally:
        database.dispose()
    decided = runner.invoke(app, ["moments", "--study", "lab", "--session", "s1",
                                  "--data-dir", str(data)], env=wide)
    assert "Accepted" in decided.output
    out = tmp_path / "reel.mp4"
    done = runner.invoke(app, ["reel", "export", "--study", "lab", "--session", "s1",
                               "--out", str(out), "--language", "en", "--data-dir", str(data)])
    assert done.exit_code == 0, done.output
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(out))
    # The moment as proposed: the bid and its answer with 3 s of context on each side.
    assert (first["start_ms"], first["end_ms"]) == (1000, 7500)
    assert abs(seconds - 6.5) <= 0.08 and frames > 0
    database = open_database(data)
    try:
        with database.session() as db:
            rows = db.query(AuditEntry).filter(AuditEntry.action == "export.reel").all()
            assert len(rows) == 1 and "dyad=D7" in rows[0].detail
    finally:
        database.dispose()
