"""Pseudonymous by default; a dyad's data can be exported whole or deleted whole."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from samspill.services import archive, dyad_rights, identity, studies
from samspill.store.db import Database
from samspill.store.media import media_path
from samspill.store.models import (
    AuditEntry,
    Coding,
    DyadIdentity,
    EventRow,
    MediaFile,
    ObservationSession,
    Rating,
)
from tests.factories import make_coded_session
from tests.security.world import CHILD_NAME, World, marker


def _zip_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())


def test_identifying_data_stays_out_of_the_study_archive(world: World, tmp_path) -> None:
    database = Database(world.settings)
    with database.session() as db:
        out = archive.export_study(
            db,
            study=studies.get_study(db, "s1"),
            media_dir=world.settings.media_dir,
            out=tmp_path / "s1.zip",
        )
    database.dispose()
    text = _zip_text(out.read_bytes())
    assert marker("cod") in text and CHILD_NAME not in text


def test_a_dyad_export_holds_everything_and_names_only_when_asked(
    world: World, world_client: TestClient
) -> None:
    own = world.headers("own")
    plain = world_client.get("/api/studies/s1/dyads/D01/export", headers=own)
    assert plain.status_code == 200
    text = _zip_text(plain.content)
    assert all(marker(c) in text for c in ("cod", "cod2", "tra", "master"))
    assert CHILD_NAME not in text
    with zipfile.ZipFile(io.BytesIO(plain.content)) as zf:
        assert any(n.startswith("media/") for n in zf.namelist())
    named = world_client.get("/api/studies/s1/dyads/D01/export?identifying=true", headers=own)
    document = json.loads(zipfile.ZipFile(io.BytesIO(named.content)).read("dyad.json"))
    assert document["identity"]["child_name"] == CHILD_NAME


def test_deleting_a_dyad_removes_its_data_and_files_and_logs_only_counts(
    world: World, world_client: TestClient
) -> None:
    database = Database(world.settings)
    with database.session() as db:
        sha = db.get(MediaFile, world.media_id).sha256
    video = media_path(world.settings.media_dir, sha)
    assert video.exists()
    response = world_client.delete("/api/studies/s1/dyads/D01", headers=world.headers("own"))
    assert response.status_code == 200
    counts = response.json()
    assert (counts["sessions"], counts["codings"], counts["media_files"]) == (1, 4, 1)
    assert counts["files_removed"] == 1 and not video.exists()
    with database.session() as db:
        for table in (ObservationSession, Coding, EventRow, Rating, MediaFile, DyadIdentity):
            assert db.scalar(select(func.count()).select_from(table)) == 0, table.__name__
        row = db.scalars(select(AuditEntry).where(AuditEntry.action == "delete.dyad")).one()
        logged = repr(vars(row))
    database.dispose()
    assert row.username == "own" and row.target == "dyad D01"
    assert f"events={counts['events']}" in row.detail
    assert CHILD_NAME not in logged and "LEAK" not in logged


def test_a_video_another_dyad_uses_is_kept(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        other = studies.get_or_create_dyad(db, study=built.study, code="D02")
        session = studies.create_session(db, study=built.study, dyad=other, name="v2")
        for s in (built.session, session):
            db.add(
                MediaFile(
                    session_id=s.id,
                    sha256="ab" * 32,
                    filename="v.mp4",
                    content_type="video/mp4",
                    size_bytes=1,
                )
            )
        identity.set_identity(db, dyad=other, identity=identity.Identity(child_name="N"))
        dyad = studies.get_or_create_dyad(db, study=built.study, code="D01")
        deletion = dyad_rights.delete_dyad(db, study=built.study, dyad=dyad, actor=built.owner)
    assert deletion.orphaned_sha256 == () and deletion.events > 0
    with database.session() as db:
        assert db.scalar(select(func.count()).select_from(MediaFile)) == 1
        assert db.scalar(select(func.count()).select_from(DyadIdentity)) == 1


def test_a_coder_cannot_export_or_delete_a_dyad(world: World, world_client: TestClient) -> None:
    cod = world.headers("cod")
    assert world_client.get("/api/studies/s1/dyads/D01/export", headers=cod).status_code == 403
    assert world_client.delete("/api/studies/s1/dyads/D01", headers=cod).status_code == 403
    assert world_client.get("/api/studies/s1/dyads/D01/identity", headers=cod).status_code == 403


def test_the_delete_form_needs_the_typed_code(world: World, world_client: TestClient) -> None:
    login = world_client.post(
        "/api/login", json={"username": "own", "password": "correct horse battery staple"}
    )
    csrf = login.json()["csrf_token"]
    wrong = world_client.post(
        "/studies/s1/dyads/D01/delete",
        data={"csrf_token": csrf, "confirm": "D0"},
        headers={"Accept": "application/json"},
    )
    assert wrong.status_code == 400
    right = world_client.post(
        "/studies/s1/dyads/D01/delete",
        data={"csrf_token": csrf, "confirm": "D01"},
        follow_redirects=False,
    )
    assert right.status_code == 303
    page = world_client.get("/studies/s1/dyads")
    assert page.status_code == 200 and "D01" not in page.text
