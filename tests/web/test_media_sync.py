"""Several cameras per session (issue 14, M17): the coding screen gets every clip, the main one
first; an owner moves a clip on the session clock (audited) without moving any event; a clap
found in both clips' audio proposes the offset; coders, viewers and strangers cannot save."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from samspill.services import media as media_service
from samspill.services import studies
from samspill.store.db import Database
from samspill.store.models import AuditEntry, EventRow, MediaFile
from tests.factories import Built, make_user
from tests.media_clips import make_clip
from tests.web.conftest import bearer
from tests.web.test_pages import _login

LAG_MS = 1300  # the second camera was started 1.3 s after the first


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cameras")
    # The clap at 2.5 s of the main clip is at 1.2 s of the second: it started 1.3 s later.
    return {
        "main": make_clip(folder / "main.webm", seconds=4, fps=25, clap_at_s=2.5, seed=1),
        "second": make_clip(folder / "second.webm", seconds=3, fps=30,
                            clap_at_s=2.5 - LAG_MS / 1000, seed=2),
        "mute": make_clip(folder / "mute.webm", seconds=2, fps=10, clap_at_s=None),
    }


def _attach(client: TestClient, database: Database, built: Built,
            clips: dict[str, Path], *names: str) -> list[int]:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    with database.session() as db:
        session = db.merge(built.session)
        return [media_service.attach_file(db, session=session, media_dir=settings.media_dir,
                                          source=clips[name]).id for name in names]


def test_the_coding_screen_gets_every_clip_main_first(
        client: TestClient, database: Database, built: Built, clips: dict[str, Path]) -> None:
    main, second = _attach(client, database, built, clips, "main", "second")
    page = client.get(f"/codings/{built.coding.id}", headers=bearer(database, built.owner.username))
    assert page.status_code == 200
    assert 'id="sync-bar"' in page.text and f'data-media="{second}"' in page.text
    boot = json.loads(page.text.split('id="boot">')[1].split("</script>")[0])
    assert [(m["id"], m["fps"], m["offset_ms"]) for m in boot["media_list"]] == [
        (main, 25.0, 0), (second, 30.0, 0)]
    assert boot["media"]["url"] == f"/api/media/{main}" and boot["can_edit_media"] is True


def test_a_session_with_one_video_has_no_camera_bar(
        client: TestClient, database: Database, built: Built, clips: dict[str, Path]) -> None:
    _attach(client, database, built, clips, "main")
    page = client.get(f"/codings/{built.coding.id}", headers=bearer(database, built.owner.username))
    assert 'id="video"' in page.text and 'id="sync-bar"' not in page.text


def test_an_owner_moves_a_clip_and_no_event_moves(
        client: TestClient, database: Database, built: Built, clips: dict[str, Path]) -> None:
    _main, second = _attach(client, database, built, clips, "main", "second")
    with database.session() as db:
        before = sorted((e.id, e.onset_ms, e.offset_ms) for e in db.scalars(select(EventRow)))
    owner = bearer(database, built.owner.username)
    for offset in (-240, 1300):
        answer = client.put(f"/api/media/{second}/offset", json={"offset_ms": offset},
                            headers=owner)
        assert answer.status_code == 200 and answer.json()["offset_ms"] == offset
    with database.session() as db:
        assert db.get(MediaFile, second).offset_ms == 1300  # type: ignore[union-attr]
        after = sorted((e.id, e.onset_ms, e.offset_ms) for e in db.scalars(select(EventRow)))
        assert after == before
        details = [a.detail for a in db.scalars(select(AuditEntry).where(
            AuditEntry.action == "media.offset").order_by(AuditEntry.id))]
    assert details == ["offset 0 -> -240 ms", "offset -240 -> 1300 ms"]


@pytest.mark.parametrize("body", [{"offset_ms": 1.5}, {"offset_ms": "soon"},
                                  {"offset_ms": 10**12}, {"offset": 5}])
def test_a_bad_offset_is_refused_with_a_fix(
        client: TestClient, database: Database, built: Built, clips: dict[str, Path],
        body: dict[str, object]) -> None:
    (second,) = _attach(client, database, built, clips, "second")
    answer = client.put(f"/api/media/{second}/offset", json=body,
                        headers=bearer(database, built.owner.username))
    assert answer.status_code in (400, 422)
    assert answer.json()["error"]["fix"]


@pytest.mark.parametrize("role", ["coder", "viewer", "stranger"])
def test_only_those_who_may_edit_the_session_save_an_offset(
        client: TestClient, database: Database, built: Built, clips: dict[str, Path],
        role: str) -> None:
    (second,) = _attach(client, database, built, clips, "second")
    with database.session() as db:
        user = make_user(db, f"someone-{role}")
        if role != "stranger":
            studies.set_role(db, study=studies.get_study(db, built.study.name), user=user,
                             role=role)
    headers = bearer(database, f"someone-{role}")
    assert client.put(f"/api/media/{second}/offset", json={"offset_ms": 5},
                      headers=headers).status_code in (403, 404)
    assert client.post(f"/api/media/{second}/align", json={"reference_id": second},
                       headers=headers).status_code in (403, 404)
    assert client.put(f"/api/media/{second}/offset", json={"offset_ms": 5}).status_code == 401
    with database.session() as db:
        assert db.get(MediaFile, second).offset_ms == 0  # type: ignore[union-attr]


def test_the_clap_proposes_the_offset_and_nothing_is_saved(
        client: TestClient, database: Database, built: Built, clips: dict[str, Path]) -> None:
    main, second = _attach(client, database, built, clips, "main", "second")
    answer = client.post(f"/api/media/{second}/align", json={"reference_id": main},
                         headers=bearer(database, built.owner.username))
    assert answer.status_code == 200, answer.text
    found = answer.json()
    # Opus frames and resampling may shift the sound by a few ms; a frame at 30 fps is 33 ms.
    assert abs(found["offset_ms"] - LAG_MS) <= 10 and not found["doubtful"]
    with database.session() as db:
        assert db.get(MediaFile, second).offset_ms == 0  # type: ignore[union-attr]


def test_a_clip_without_audio_cannot_be_aligned_on_a_clap(
        client: TestClient, database: Database, built: Built, clips: dict[str, Path]) -> None:
    main, mute = _attach(client, database, built, clips, "main", "mute")
    answer = client.post(f"/api/media/{mute}/align", json={"reference_id": main},
                         headers=bearer(database, built.owner.username))
    assert answer.status_code == 400
    assert "nudging" in answer.json()["error"]["fix"]
    same = client.post(f"/api/media/{main}/align", json={"reference_id": main},
                       headers=bearer(database, built.owner.username))
    assert same.status_code == 400


def test_an_owner_adds_a_second_camera_on_the_session_page(
        client: TestClient, built: Built, clips: dict[str, Path]) -> None:
    csrf = _login(client, built.owner.username)
    url = f"/studies/{built.study.name}/sessions/{built.session.name}/media"

    def upload(name: str, offset: str):
        with clips[name].open("rb") as handle:
            return client.post(url, data={"csrf_token": csrf, "offset_ms": offset},
                               files={"video": (f"{name}.webm", handle, "video/webm")})

    refused = upload("main", "-500")  # the main camera is the clock: it starts at 0 or later
    assert refused.status_code == 400 and "negative" in refused.text
    first = upload("main", "0")
    assert first.status_code == 200 and "Another camera" in first.text
    second = upload("second", "-240")  # started before the main one
    assert second.status_code == 200
    assert "main (the session" in second.text and "second.webm" in second.text
    media = client.get(f"/api/studies/{built.study.name}/sessions/{built.session.name}").json()
    assert [m["offset_ms"] for m in media["media"]] == [0, -240]
    bokmaal = client.get(f"/studies/{built.study.name}/sessions/{built.session.name}",
                         headers={"Accept-Language": "nb"})
    assert "Legg til kameraet" in bokmaal.text
