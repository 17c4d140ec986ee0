"""The assist over HTTP: an owner starts a pass, the server's worker runs it, the coding screen
lists the suggestions; a trainee's coding shows none; accepting is an ordinary action."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from samspill.services import codings, studies
from samspill.services import media as media_service
from samspill.services.schemes import latest_version
from samspill.store.db import Database
from tests.assist import sounds
from tests.assist.test_assist_service import BIDS, _video
from tests.factories import make_coded_session, make_user
from tests.web.conftest import bearer


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    talk = sounds.speech("Look, a little bird. Can you see it?")
    audio = sounds.place(40_000, [(8000, talk), (33_000, sounds.cry(2000))])
    return _video(tmp_path_factory.mktemp("web-assist") / "s.mp4", audio, 40)


@pytest.fixture
def world(database: Database, recorded: Path) -> dict[str, int]:
    with database.session() as db:
        built = make_coded_session(db, events=list(BIDS))
        media_service.attach_file(db, session=built.session,
                                  media_dir=database.settings.media_dir, source=recorded)
        trainee = make_user(db, "tina")
        studies.set_role(db, study=built.study, user=trainee, role="trainee")
        tape = codings.create_coding(db, session=built.session, coder=trainee,
                                     scheme_version=latest_version(db, "withdrawal-open"))
        tape.purpose = "training"
        return {"coding": built.coding.id, "tape": tape.id}


def _until_done(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    for _ in range(600):
        runs = client.get("/api/studies/s1/sessions/v1/assist", headers=headers).json()
        if runs and runs[0]["state"] not in ("queued", "running"):
            return runs[0]
        time.sleep(0.1)
    raise AssertionError("the assist pass did not finish in 60 s")


def test_an_owner_runs_the_assist_and_the_coder_accepts_a_suggestion(
        client: TestClient, database: Database, world: dict[str, int]) -> None:
    owner = bearer(database, "owner-s1")
    started = client.post("/api/studies/s1/sessions/v1/assist", headers=owner,
                          json={"detectors": ["speech", "cry"]})
    assert started.status_code == 202, started.text
    again = client.post("/api/studies/s1/sessions/v1/assist", headers=owner, json={})
    assert again.status_code in (202, 409)  # refused while the first is under way
    done = _until_done(client, owner)
    assert done["state"] == "done" and done["progress"] == 1.0
    listed = client.get(f"/api/codings/{world['coding']}/suggestions", headers=owner).json()
    assert listed["shown"] is True
    cry = next(s for s in listed["suggestions"] if s["detector"] == "cry")
    assert abs(cry["onset_ms"] - 33_000) <= 200 and cry["decision"] is None
    action = {"id": "00000000-0000-4000-8000-00000000a001", "type": "add",
              "suggestion_id": cry["id"],
              "event": {"id": "00000000-0000-4000-8000-00000000e001", "subject": "child",
                        "code": "distress", "onset_ms": cry["onset_ms"],
                        "offset_ms": cry["offset_ms"]}}
    saved = client.post(f"/api/codings/{world['coding']}/actions", headers=owner,
                        json={"actions": [action]})
    assert saved.status_code == 200, saved.text
    answer = client.get(f"/api/codings/{world['coding']}/events", headers=owner).json()
    events = answer["events"]
    accepted = next(e for e in events if e["code"] == "distress")
    assert accepted["provenance"] == "assist:cry@1"


def test_a_trainees_tape_shows_no_suggestions(
        client: TestClient, database: Database, world: dict[str, int]) -> None:
    trainee = bearer(database, "tina")
    listed = client.get(f"/api/codings/{world['tape']}/suggestions", headers=trainee)
    assert listed.status_code == 200 and listed.json() == {"shown": False, "suggestions": []}


def test_a_pass_that_fails_says_why_in_the_readers_language(
        client: TestClient, database: Database, tmp_path: Path) -> None:
    with database.session() as db:
        built = make_coded_session(db, study_name="quiet", events=[])
        media_service.attach_file(db, session=built.session,
                                  media_dir=database.settings.media_dir,
                                  source=_video(tmp_path / "mute.mp4", None, 2))
    owner = bearer(database, "owner-quiet")
    client.post("/api/studies/quiet/sessions/v1/assist", headers=owner, json={})
    for _ in range(300):
        runs = client.get("/api/studies/quiet/sessions/v1/assist", headers=owner).json()
        if runs[0]["state"] == "failed":
            break
        time.sleep(0.1)
    assert runs[0]["state"] == "failed"
    assert "no sound" in runs[0]["error"]["message"]


def test_the_session_page_runs_and_follows_the_assist(
        client: TestClient, database: Database, world: dict[str, int]) -> None:
    from tests.web.test_pages import _login

    csrf = _login(client, "owner-s1")
    page = client.get("/studies/s1/sessions/v1")
    assert "Run the assist" in page.text and "never codes" in page.text
    started = client.post("/studies/s1/sessions/v1/assist", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].endswith("#assist")
    done = _until_done(client, {})
    assert done["state"] == "done"
    page = client.get("/studies/s1/sessions/v1")
    assert f"The last pass found {done['found']} suggestions." in page.text
    norsk = client.get("/studies/s1/sessions/v1", headers={"Accept-Language": "nb"})
    assert "Kjør assistenten" in norsk.text and "aldri koder" in norsk.text


def test_a_viewer_sees_no_button_and_is_refused(
        client: TestClient, database: Database, world: dict[str, int]) -> None:
    with database.session() as db:
        viewer = make_user(db, "vera")
        studies.set_role(db, study=studies.get_study(db, "s1"), user=viewer, role="viewer")
    headers = bearer(database, "vera")
    page = client.get("/studies/s1/sessions/v1", headers=headers)
    assert page.status_code == 200 and "Run the assist" not in page.text
    refused = client.post("/api/studies/s1/sessions/v1/assist", headers=headers, json={})
    assert refused.status_code == 403
