"""The server-rendered pages and their forms, driven as a browser would (cookie and CSRF)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from samspill.core.events import Event
from samspill.services.demo_video import render_demo_video
from samspill.store.db import Database
from tests.factories import PASSWORD, Built


@pytest.fixture(scope="module")
def tiny_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = [Event(subject="caregiver", code="far", onset_ms=0, offset_ms=2000)]
    return render_demo_video(events, 2000, tmp_path_factory.mktemp("v") / "tiny.webm")


def _login(client: TestClient, username: str) -> str:
    page = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the studies page carries the CSRF token in its forms"
    return match.group(1)


def test_login_page_in_norwegian_sets_lang(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"})
    assert '<html lang="nb">' in page.text and "Logg inn" in page.text


def test_the_language_switch_is_remembered(client: TestClient) -> None:
    client.post("/language", data={"language": "nb", "next": "/login"})
    assert '<html lang="nb">' in client.get("/login").text
    client.post("/language", data={"language": "en", "next": "/login"})
    assert '<html lang="en">' in client.get("/login").text


def test_pages_redirect_to_login_without_a_session(client: TestClient) -> None:
    response = client.get("/studies/s1", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_wrong_password_shows_the_form_again_with_the_error(client: TestClient,
                                                              built: Built) -> None:
    page = client.post("/login", data={"username": built.owner.username, "password": "nope"})
    assert page.status_code == 401 and 'role="alert"' in page.text


def test_an_owner_builds_a_study_from_the_forms(client: TestClient, built: Built,
                                                tiny_video: Path) -> None:
    csrf = _login(client, built.owner.username)
    assert client.post("/studies", data={"name": "new", "csrf_token": csrf}).status_code == 200
    created = client.post("/studies/new/sessions", data={
        "name": "t1", "dyad": "D7", "procedure": "ssp", "date": "2024-05-02",
        "csrf_token": csrf})
    assert created.status_code == 200 and "D7" in created.text
    with tiny_video.open("rb") as handle:
        uploaded = client.post("/studies/new/sessions/t1/media",
                               data={"csrf_token": csrf, "offset_ms": "0"},
                               files={"video": ("../../evil name.webm", handle, "video/webm")})
    assert uploaded.status_code == 200
    assert "evil name.webm" in uploaded.text and "../" not in uploaded.text
    session = client.get("/api/studies/new/sessions/t1").json()
    assert session["duration_ms"] == 2000 and session["media"][0]["fps"] == 10.0
    marked = client.post("/studies/new/sessions/t1/segments", data={
        "name": "1 Introduction", "start_ms": "0", "end_ms": "1500", "role": "introduction",
        "note": "curtailed", "csrf_token": csrf})
    assert marked.status_code == 200 and "curtailed" in marked.text
    bokmaal = client.get("/studies/new/sessions/t1", headers={"Accept-Language": "nb"})
    assert "<td>introduksjon</td>" in bokmaal.text  # the stored role is 'introduction'
    assert '<option value="reunion">gjenforening</option>' in bokmaal.text


def test_a_form_without_the_csrf_token_is_refused(client: TestClient, built: Built) -> None:
    _login(client, built.owner.username)
    response = client.post("/studies", data={"name": "sneaky"})
    assert response.status_code == 403
    assert client.get("/api/studies/sneaky").status_code == 404


def test_an_upload_that_is_not_a_video_is_refused_and_nothing_kept(
        client: TestClient, built: Built) -> None:
    csrf = _login(client, built.owner.username)
    response = client.post("/studies/s1/sessions/v1/media", data={"csrf_token": csrf},
                           files={"video": ("clip.mp4", b"not a video at all", "video/mp4")})
    assert response.status_code == 400 and "not a video" in response.text
    assert client.get("/api/studies/s1/sessions/v1").json()["media"] == []


def test_study_settings_and_members_from_the_forms(client: TestClient, built: Built) -> None:
    csrf = _login(client, built.owner.username)
    saved = client.post("/studies/s1/settings", data={
        "disrupted_cutoff": "6", "hide_scores_from_coders": "true", "csrf_token": csrf})
    assert saved.status_code == 200
    settings = client.get("/api/studies/s1").json()["settings"]
    assert settings["disrupted_cutoff"] == 6 and settings["hide_scores_from_coders"] is True
    bad = client.post("/studies/s1/settings", data={"disrupted_cutoff": "9", "csrf_token": csrf})
    assert bad.status_code == 400


def test_the_session_page_shows_the_five_signs_with_seekable_evidence(
        client: TestClient, built: Built) -> None:
    _login(client, built.owner.username)
    page = client.get("/studies/s1/sessions/v1")
    assert page.text.count('scope="row"') == 5  # the hostility qualifier is no sign
    assert 'data-indicator="hostility"' in page.text
    assert 'data-seek-ms="20000"' in page.text
    assert "not clinical norms" in page.text


def test_a_template_segment_is_named_in_the_pages_language(
        client: TestClient, database: Database, built: Built) -> None:
    """Stored with the template's English name (whoever marked it), shown in bokmål on a page in
    bokmål; a name the coder typed stays as typed."""
    from samspill.core.events import Segment
    from samspill.services import studies

    with database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="v1")
        studies.put_segment(db, session=session, segment=Segment(
            spec_id="ep4", name="4 First separation", role="separation", start_ms=0,
            end_ms=1000))
        studies.put_segment(db, session=session, segment=Segment(
            spec_id="ep5", name="Reunion, late", role="reunion", start_ms=1000, end_ms=2000))
    _login(client, built.owner.username)
    bokmaal = client.get("/studies/s1/sessions/v1", headers={"Accept-Language": "nb"}).text
    assert "<td>4 Første atskillelse</td>" in bokmaal and "<td>atskillelse</td>" in bokmaal
    assert "<td>Reunion, late</td>" in bokmaal
    english = client.get("/studies/s1/sessions/v1", headers={"Accept-Language": "en"}).text
    assert "<td>4 First separation</td>" in english
