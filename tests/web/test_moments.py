"""Moments to show, guidance notes and the feedback reel over HTTP (issue 23): proposals as
suggestions, decisions, trims, notes; who may; the audit log; the MP4's length and frames; and
the reel going with its dyad."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from samspill.core.events import Event
from samspill.services import media as media_service
from samspill.services import moments as moment_service
from samspill.services import studies
from samspill.store.db import Database
from samspill.store.models import AuditEntry, Dyad
from samspill.store.models_moments import GuidanceNote, Moment, ReelRender
from tests.factories import make_coded_session, make_user
from tests.web.conftest import bearer

API = "/api/studies/s1/sessions/v1"
FPS = 25
SIZE = (160, 120)


def _bid(t_ms: int, kind: str) -> Event:
    return Event(subject="child", code="bid", onset_ms=t_ms, modifiers={"kind": kind})


def _cg(code: str, t_ms: int, **modifiers: str) -> Event:
    return Event(subject="caregiver", code=code, onset_ms=t_ms, modifiers=modifiers)


EVENTS = [
    _bid(5000, "show"), _cg("respond", 5500, channel="verbal", intensity="full"),  # good
    _bid(15_000, "reach"),                                                        # unanswered
    _bid(40_000, "approach"), _cg("redirect", 41_000),                            # redirected
]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 60 s video whose every frame differs (testsrc2 moves), with a tone."""
    out = tmp_path_factory.mktemp("reel") / "source.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=s={SIZE[0]}x{SIZE[1]}:r={FPS}:d=60", "-f", "lavfi", "-i",
                    "sine=f=440:d=60", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25",
                    "-c:a", "aac", "-shortest", str(out)], check=True, timeout=120)
    return out


@pytest.fixture
def world(database: Database, source: Path) -> dict[str, object]:
    with database.session() as db:
        built = make_coded_session(db, events=list(EVENTS))
        media_service.attach_file(db, session=built.session,
                                  media_dir=database.settings.media_dir, source=source)
        for name, role in (("cora", "coder"), ("tina", "trainee"), ("vic", "viewer")):
            studies.set_role(db, study=built.study, user=make_user(db, name), role=role)
        return {"dyad": built.session.dyad_id}


def _state(client: TestClient, headers: dict[str, str]) -> dict:
    answer = client.get(f"{API}/moments", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _proposal(state: dict, reason: str) -> dict:
    return next(p for p in state["proposals"] if reason in p["reasons"])


def test_proposals_come_with_their_reasons_and_evidence_and_the_page_says_suggestions(
        client: TestClient, database: Database, world: dict) -> None:
    owner = bearer(database, "owner-s1")
    state = _state(client, owner)
    good = _proposal(state, "prompt_full_answer")
    missed = _proposal(state, "unanswered_bid")
    redirect = _proposal(state, "redirect_away")
    assert good["kind"] == "good" and missed["kind"] == "missed"
    assert good["key_ms"] == 5000 and len(good["evidence"]) == 2
    assert redirect["key_ms"] == 40_000 and all(p["status"] is None for p in state["proposals"])
    page = client.get("/studies/s1/sessions/v1/moments", headers=owner)
    assert page.status_code == 200
    assert "are suggestions" in page.text and "Proposals (suggestions)" in page.text
    nb = client.get("/studies/s1/sessions/v1/moments", headers={**owner, "Accept-Language": "nb"})
    assert "Forslag" in nb.text


def test_accept_trim_caption_note_reject_and_undo(client: TestClient, database: Database,
                                                  world: dict) -> None:
    owner = bearer(database, "owner-s1")
    state = _state(client, owner)
    good, missed = _proposal(state, "prompt_full_answer"), _proposal(state, "unanswered_bid")
    state = client.post(f"{API}/moments", headers=owner,
                        json={"key": good["key"], "status": "accepted"}).json()
    moment = state["moments"][0]
    assert _proposal(state, "prompt_full_answer")["status"] == "accepted"
    changed = client.patch(f"{API}/moments/{moment['id']}", headers=owner, json={
        "start_ms": moment["start_ms"] - 1000, "caption": "Du ser henne og svarer", "slow": True})
    assert changed.status_code == 200, changed.text
    moment = changed.json()["moments"][0]
    assert moment["start_ms"] == good["start_ms"] - 1000 and moment["slow"] is True
    noted = client.put(f"{API}/moments/{moment['id']}/note", headers=owner, json={
        "parent_did": "Svarte med ord", "child_showed": "Smilte", "to_try": "Vent og se"})
    assert noted.json()["moments"][0]["note"]["to_try"] == "Vent og se"
    refused = client.patch(f"{API}/moments/{moment['id']}", headers=owner,
                           json={"end_ms": moment["key_ms"]})
    assert refused.status_code == 400 and refused.json()["error"]["fix"]
    client.post(f"{API}/moments", headers=owner, json={"key": missed["key"], "status": "rejected"})
    state = _state(client, owner)
    assert _proposal(state, "unanswered_bid")["status"] == "rejected"
    assert len(state["moments"]) == 1 and state["reel"][0]["caption"] == "Du ser henne og svarer"
    with database.session() as db:
        dyad = db.get(Dyad, world["dyad"])
        notes = moment_service.guidance_notes_of_dyad(db, dyad)
    assert [(n.session, n.parent_did, n.to_try) for n in notes] == [
        ("v1", "Svarte med ord", "Vent og se")]
    client.delete(f"{API}/moments/{moment['id']}", headers=owner)
    state = _state(client, owner)
    assert state["moments"] == [] and _proposal(state, "prompt_full_answer")["status"] is None


@pytest.mark.parametrize(("who", "allowed"), [
    ("owner-s1", True), ("cora", True), ("tina", False), ("vic", False)])
def test_only_owners_and_coders_work_with_moments_and_export(
        client: TestClient, database: Database, world: dict, who: str, allowed: bool) -> None:
    headers = bearer(database, who)
    page = client.get("/studies/s1/sessions/v1/moments", headers=headers)
    export = client.post(f"{API}/reel/renders", headers=headers, json={"language": "nb"})
    if allowed:
        assert page.status_code == 200
        assert export.status_code in (202, 400)  # a coder's reel may still be empty
    else:
        assert page.status_code == 403 and export.status_code == 403


def test_a_coder_gets_no_proposals_from_a_colleagues_coding(
        client: TestClient, database: Database, world: dict) -> None:
    state = _state(client, bearer(database, "cora"))
    assert state["coding"] is None and state["proposals"] == []  # the blind rule holds


def _until_done(client: TestClient, headers: dict[str, str], render_id: int) -> dict:
    for _ in range(1200):
        found = client.get(f"{API}/reel/renders/{render_id}", headers=headers).json()
        if found["state"] not in ("queued", "running"):
            return found
        time.sleep(0.1)
    raise AssertionError("the reel export did not finish in 120 s")


def _choose(client: TestClient, headers: dict[str, str]) -> list[dict]:
    state = _state(client, headers)
    for reason, caption, extra in (("redirect_away", "Hun søker deg", {"freeze": True}),
                                   ("prompt_full_answer", "Du svarer henne", {"slow": True})):
        key = _proposal(state, reason)["key"]
        state = client.post(f"{API}/moments", headers=headers,
                            json={"key": key, "status": "accepted"}).json()
        moment = next(m for m in state["moments"] if m["key"] == key)
        client.patch(f"{API}/moments/{moment['id']}", headers=headers,
                     json={"caption": caption, **extra})
    first = next(m for m in _state(client, headers)["moments"] if m["caption"] == "Du svarer henne")
    return client.patch(f"{API}/moments/{first['id']}", headers=headers,
                        json={"position": 1}).json()["reel"]


def _frames(path: Path) -> np.ndarray:
    # Every decoded frame as it is: no frame rate conversion adding or dropping frames.
    reader = imageio_ffmpeg.read_frames(str(path), output_params=["-fps_mode", "passthrough"])
    meta = next(reader)
    width, height = meta["size"]
    return np.stack([np.frombuffer(f, dtype=np.uint8).reshape(height, width, 3)
                     for f in reader])


def _band(frame: np.ndarray) -> np.ndarray:
    """The middle of the picture: clear of the code label (top) and the caption (bottom)."""
    height = frame.shape[0]
    return frame[height // 5: height * 3 // 5].astype("int16")


def test_the_exported_reel_has_the_planned_length_and_each_captions_first_frame(
        client: TestClient, database: Database, world: dict, source: Path) -> None:
    owner = bearer(database, "owner-s1")
    reel = _choose(client, owner)
    assert [c["caption"] for c in reel] == ["Du svarer henne", "Hun søker deg"]
    started = client.post(f"{API}/reel/renders", headers=owner, json={"language": "nb"})
    assert started.status_code == 202, started.text
    done = _until_done(client, owner, started.json()["id"])
    assert done["state"] == "done", done
    planned = sum(c["length_ms"] for c in reel)
    assert done["duration_ms"] == planned
    answer = client.get(f"{API}/reel/renders/{done['id']}/export.mp4", headers=owner)
    assert answer.status_code == 200 and answer.headers["content-type"] == "video/mp4"
    assert "reel-s1-D01-v1-nb.mp4" in answer.headers["content-disposition"]
    out = Path(database.settings.data_dir) / "downloaded.mp4"
    out.write_bytes(answer.content)
    frames, original = _frames(out), _frames(source)
    assert abs(len(frames) / FPS * 1000 - planned) <= 2 * 1000 / FPS  # within two frames
    for clip in reel:
        at = round(clip["reel_start_ms"] * FPS / 1000)
        expected = round(clip["start_ms"] * FPS / 1000)
        window = range(max(0, expected - 12), expected + 13)
        error = [np.abs(_band(frames[at]) - _band(original[i])).mean() for i in window]
        best = list(window)[int(np.argmin(error))]
        assert abs(best - expected) <= 1, (clip, best, expected)
        assert min(error) < 6


def test_every_export_is_in_the_audit_log_with_codes_only(
        client: TestClient, database: Database, world: dict) -> None:
    owner = bearer(database, "owner-s1")
    _choose(client, owner)
    started = client.post(f"{API}/reel/renders", headers=owner, json={"language": "en"})
    _until_done(client, owner, started.json()["id"])
    client.get(f"{API}/reel/renders/{started.json()['id']}/export.mp4", headers=owner)
    with database.session() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.study == "s1")).all()
        exported = [r for r in rows if r.action == "export.reel"]
        downloads = [r for r in rows if r.action == "export" and "export.mp4" in r.target]
        assert len(exported) == 1 and len(downloads) == 1
        assert "dyad=D01" in exported[0].detail and "language=en" in exported[0].detail
        assert exported[0].username == "owner-s1"


def test_an_empty_reel_or_an_unknown_language_is_refused_with_a_fix(
        client: TestClient, database: Database, world: dict) -> None:
    owner = bearer(database, "owner-s1")
    empty = client.post(f"{API}/reel/renders", headers=owner, json={"language": "nb"})
    assert empty.status_code == 400 and "accept at least one" in empty.json()["error"]["fix"]
    assert client.post(f"{API}/reel/renders", headers=owner,
                       json={"language": "de"}).status_code == 422


def test_the_reel_and_its_file_go_with_the_dyad(client: TestClient, database: Database,
                                                 world: dict) -> None:
    owner = bearer(database, "owner-s1")
    reel = _choose(client, owner)
    state = _state(client, owner)
    client.put(f"{API}/moments/{state['moments'][0]['id']}/note", headers=owner,
               json={"parent_did": "x", "child_showed": "y", "to_try": "z"})
    started = client.post(f"{API}/reel/renders", headers=owner, json={"language": "nb"})
    assert _until_done(client, owner, started.json()["id"])["state"] == "done" and reel
    folder = Path(database.settings.data_dir) / "reels"
    assert len(list(folder.glob("*.mp4"))) == 1
    deleted = client.delete("/api/studies/s1/dyads/D01", headers=owner)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["reels"] == 1
    assert list(folder.glob("*.mp4")) == []
    with database.session() as db:
        for table in (Moment, GuidanceNote, ReelRender):
            assert db.scalar(select(func.count()).select_from(table)) == 0


def test_a_stopped_servers_unfinished_reel_is_swept_and_made_again(
        database: Database, world: dict, client: TestClient) -> None:
    from samspill.services import reels
    from samspill.web.reel_worker import ReelWorker

    owner = bearer(database, "owner-s1")
    _choose(client, owner)
    with database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="v1")
        render = reels.request_render(db, study=session.study, session=session, user=None,
                                      language="nb")
        render.state = "running"  # as a server that stopped in the middle left it
        render_id = render.id
    folder = reels.reels_dir(Path(database.settings.data_dir))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{render_id}{reels.PARTIAL}").write_bytes(b"half a video")
    (folder / f"{render_id + 99}{reels.PARTIAL}").write_bytes(b"a deleted dyad's half video")
    worker = ReelWorker(database)
    worker.start(resume=True)
    try:
        done = _until_done(client, owner, render_id)
    finally:
        worker.stop()
    assert done["state"] == "done"
    assert [p.name for p in folder.iterdir() if p.name.endswith(reels.PARTIAL)] == []


def test_the_dyads_data_rights_export_holds_its_moments_and_notes(
        client: TestClient, database: Database, world: dict) -> None:
    import io
    import json
    import zipfile

    owner = bearer(database, "owner-s1")
    _choose(client, owner)
    moment = _state(client, owner)["moments"][0]
    client.put(f"{API}/moments/{moment['id']}/note", headers=owner,
               json={"parent_did": "Løftet henne opp", "child_showed": "", "to_try": ""})
    named = client.get("/api/studies/s1/dyads/D01/export", headers=owner)
    text = zipfile.ZipFile(io.BytesIO(named.content)).read("dyad.json").decode()
    document = json.loads(text)
    chosen = [m for s in document["sessions"] for m in s["moments"]]
    notes = [m["note"] for m in chosen if m["note"]]
    assert len(chosen) == 2 and notes[0]["parent_did"] == "Løftet henne opp"
    # Each moment once: in its session, not listed again beside the sessions.
    assert "moments" not in document and text.count("Løftet henne opp") == 1
    assert [text.count(f'"caption": {json.dumps(m["caption"], ensure_ascii=False)}')
            for m in chosen] == [1, 1]


def test_the_progress_report_lists_the_notes_for_clinicians_only(
        client: TestClient, database: Database, world: dict) -> None:
    owner = bearer(database, "owner-s1")
    _choose(client, owner)
    moment = _state(client, owner)["moments"][0]
    client.put(f"{API}/moments/{moment['id']}/note", headers=owner,
               json={"parent_did": "Løftet henne opp", "child_showed": "Roet seg",
                     "to_try": "Vent på blikket"})
    report = "/studies/s1/dyads/D01/report?lang=nb"
    for name in ("owner-s1", "cora"):
        page = client.get(report, headers=bearer(database, name))
        assert page.status_code == 200, page.text
        assert "Veiledningsnotater" in page.text and "Vent på blikket" in page.text
    viewer = client.get(report, headers=bearer(database, "vic"))
    assert viewer.status_code in (200, 403)
    assert "Vent på blikket" not in viewer.text and "Veiledningsnotater" not in viewer.text
