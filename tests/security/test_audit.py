"""The audit log: who, what, when and from where for logins, reads, writes, exports, reports,
refusals and role changes; owners filter and export it; nobody can change it."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from samspill.services import audit
from samspill.store.db import Database
from samspill.store.models import AuditEntry
from samspill.web.routes import all_routes
from tests.factories import PASSWORD, make_user
from tests.security.world import CHILD_NAME, World


def _rows(world: World) -> list[AuditEntry]:
    database = Database(world.settings)
    with database.session() as db:
        rows = list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    database.dispose()
    return rows


def _last(world: World, action: str) -> AuditEntry:
    found = [r for r in _rows(world) if r.action == action]
    assert found, f"no '{action}' row"
    return found[-1]


def test_logins_and_failed_logins_are_logged(world: World, world_client: TestClient) -> None:
    world_client.post("/api/login", json={"username": "cod", "password": "wrong password!"})
    world_client.post("/api/login", json={"username": "nobody", "password": "wrong password!"})
    world_client.post("/api/login", json={"username": "cod", "password": PASSWORD})
    rows = [(r.action, r.username) for r in _rows(world) if r.action.startswith("login")]
    assert rows == [("login.failed", "cod"), ("login.failed", ""), ("login", "cod")]
    assert all(r.client == "testclient" for r in _rows(world) if r.action.startswith("login"))


def test_an_unknown_api_token_is_a_failed_login_and_the_token_is_not_kept(
    world: World, world_client: TestClient
) -> None:
    token = "not-a-token-" + uuid.uuid4().hex
    answer = world_client.get(
        f"/api/codings/{world.codings['cod']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 401
    row = _last(world, "login.failed")
    assert row.detail == "answered 401 to an unknown API token"
    assert row.username == "" and row.client
    assert all(token not in f"{r.target} {r.detail}" for r in _rows(world))
    world_client.get(f"/api/codings/{world.codings['cod']}")  # no credential: no login attempt
    assert [r.action for r in _rows(world)].count("login.failed") == 1


def test_a_lockout_is_logged(world: World, world_client: TestClient) -> None:
    for _ in range(6):
        world_client.post("/api/login", json={"username": "vie", "password": "wrong password!"})
    details = [r.detail for r in _rows(world) if r.action == "login.failed"]
    assert "account locked" in details and len(details) == 6


@pytest.mark.parametrize(
    ("asker", "path", "action"),
    [
        ("cod", "/api/codings/{cod}/events", "read"),
        ("vie", "/api/studies/s1/sessions/v1", "read"),
        ("vie", "/api/media/{media}", "read.video"),
        ("own", "/api/studies/s1/dyads/D01/identity", "read.identity"),
        ("own", "/studies/s1/report", "report"),
        ("own", "/api/studies/s1/dyads/D01/export", "export"),
        ("own", "/api/studies/s1/audit.csv", "export.audit"),
    ],
)
def test_each_read_of_sensitive_data_is_logged_with_who_what_when_where(
    asker: str, path: str, action: str, world: World, world_client: TestClient
) -> None:
    path = path.format(cod=world.codings["cod"], media=world.media_id)
    assert world_client.get(path, headers=world.headers(asker)).status_code == 200
    row = _last(world, action)
    assert (row.username, row.target, row.study) == (asker, f"GET {path}", "s1")
    assert row.client == "testclient" and row.at is not None


def test_writes_are_logged_and_refusals_too(world: World, world_client: TestClient) -> None:
    action = {"id": str(uuid.uuid4()), "type": "rating", "ratings": {}}
    path = f"/api/codings/{world.codings['cod']}/actions"
    response = world_client.post(path, json={"actions": [action]}, headers=world.headers("cod"))
    assert response.status_code == 200
    assert _last(world, "write").target == f"POST {path}"
    world_client.get("/api/studies/s1/dyads/D01/identity", headers=world.headers("cod"))
    refused = _last(world, "denied")
    assert (refused.username, refused.detail) == ("cod", "PermissionDeniedError")


def test_a_role_change_is_logged_with_old_and_new_role(
    world: World, world_client: TestClient
) -> None:
    response = world_client.put(
        "/api/studies/s1/members",
        json={"username": "vie", "role": "coder"},
        headers=world.headers("own"),
    )
    assert response.status_code == 204
    row = _last(world, "permission")
    assert (row.username, row.target, row.study) == ("own", "vie", "s1")
    assert row.detail == "role viewer -> coder"


def test_rows_never_hold_request_bodies_or_identifying_content(
    world: World, world_client: TestClient
) -> None:
    secret = "Secret Caregiver Name"
    world_client.put(
        "/api/studies/s1/dyads/D01/identity",
        json={"child_name": secret, "note": secret},
        headers=world.headers("own"),
    )
    own = world.headers("own")
    world_client.get("/api/studies/s1/dyads/D01/export?identifying=true", headers=own)
    everything = repr([vars(r) for r in _rows(world)])
    assert secret not in everything and CHILD_NAME not in everything
    assert _last(world, "export.identity").target == "dyad D01"


def test_owners_filter_and_export_the_log(world: World, world_client: TestClient) -> None:
    world_client.get(f"/api/codings/{world.codings['cod']}/events", headers=world.headers("cod"))
    world_client.get("/api/studies/s1/sessions/v1", headers=world.headers("vie"))
    own = world.headers("own")
    rows = world_client.get("/api/studies/s1/audit?user=cod&action=read", headers=own).json()
    assert rows and all(r["username"] == "cod" and r["action"].startswith("read") for r in rows)
    exported = world_client.get("/api/studies/s1/audit.csv?action=read", headers=own)
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["username"] for r in table} == {"cod", "vie"}
    page = world_client.get("/studies/s1/audit?user=vie", headers={**own, "Accept": "text/html"})
    assert page.status_code == 200 and "GET /api/studies/s1/sessions/v1" in page.text


def test_an_owner_sees_only_their_studys_rows(world: World, world_client: TestClient) -> None:
    world_client.get("/api/studies/s2", headers=world.headers("out"))
    world_client.get("/api/studies/s2/sessions", headers=world.headers("out"))
    rows = world_client.get("/api/studies/s1/audit", headers=world.headers("own")).json()
    assert all(r["study"] == "s1" for r in rows)
    assert world_client.get("/api/audit", headers=world.headers("own")).status_code == 403
    everything = world_client.get("/api/audit?action=login", headers=world.headers("adm"))
    assert everything.status_code == 200


def test_no_route_changes_the_log() -> None:
    writers = [
        r.path for r in all_routes() if "audit" in r.path and r.methods - {"GET", "HEAD"}
    ]
    assert writers == []


def test_the_database_refuses_to_change_or_delete_a_row(database: Database) -> None:
    with database.session() as db:
        audit.record(db, action="login", username="someone")
    for statement in ("UPDATE audit_log SET username = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), database.session() as db:
            db.execute(text(statement))
    with database.session() as db:
        assert db.scalar(select(AuditEntry.username)) == "someone"


def test_cli_changes_to_roles_are_logged_too(database: Database) -> None:
    from samspill.services import studies

    with database.session() as db:
        user = make_user(db, "x-coder")
        study = studies.create_study(db, name="cli-study", owner=make_user(db, "x-owner"))
        studies.set_role(db, study=study, user=user, role="coder")
    with database.session() as db:
        rows = audit.entries(db, study="cli-study", action="permission")
        assert [(r.target, r.detail, r.client) for r in rows] == [
            ("x-coder", "role none -> coder", "cli"),
            ("x-owner", "role none -> owner", "cli"),
        ]


def test_the_audit_and_dyad_pages_speak_norwegian(world: World, world_client: TestClient) -> None:
    from samspill.web import i18n

    world_client.cookies.set(i18n.LANG_COOKIE, "nb")
    headers = {**world.headers("own"), "Accept": "text/html"}
    assert "Revisjonslogg" in world_client.get("/studies/s1/audit", headers=headers).text
    page = world_client.get("/studies/s1/dyads", headers=headers).text
    assert "Omsorgspersonens navn" in page and "Slett for godt" in page


def test_rows_due_at_commit_survive_a_savepoint_and_go_with_a_rollback(
    database: Database,
) -> None:
    with database.session() as db:
        audit.record_at_commit(db, action="read", username="kept", target="GET /x")
        with db.begin_nested() as savepoint:
            savepoint.rollback()
    with database.sessions() as db:
        audit.record_at_commit(db, action="read", username="dropped", target="GET /y")
        db.rollback()
    with database.session() as db:
        names = [r.username for r in db.scalars(select(AuditEntry))]
    assert "kept" in names and "dropped" not in names
