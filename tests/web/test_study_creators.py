"""Who may create studies (issue 22; issue 21, finding 14): administrators, and the users an
administrator lets. Others do not see the New study form and are refused before the name is
looked at, so only trusted creators learn that a study name exists."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from alembic import command
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from samspill.cli import app as cli_app
from samspill.services import accounts, studies
from samspill.store.db import Database, alembic_config
from samspill.store.models import AuditEntry
from tests.factories import PASSWORD, make_user
from tests.web.conftest import bearer


def _login(client: TestClient, username: str) -> str:
    page = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _users(database: Database) -> None:
    with database.session() as db:
        owner = make_user(db, "own")
        studies.create_study(db, name="taken", owner=owner)
        make_user(db, "tra")
        make_user(db, "adm", admin=True)


def test_a_user_without_the_right_sees_no_form_and_is_refused(
    client: TestClient, database: Database
) -> None:
    _users(database)
    csrf = _login(client, "tra")
    assert "New study" not in client.get("/").text
    refused = client.post("/studies", data={"name": "mine", "csrf_token": csrf})
    assert refused.status_code == 403 and "a right you do not hold" in refused.text
    bokmaal = client.post("/studies", data={"name": "mine", "csrf_token": csrf},
                          headers={"Accept-Language": "nb"})
    assert "du har ikke rett til å opprette studier" in bokmaal.text
    api = client.post("/api/studies", json={"name": "taken"}, headers=bearer(database, "tra"))
    assert api.status_code == 403, "a taken name is not told to a user without the right"
    assert "exists" not in api.text


def test_an_administrator_grants_the_right_on_the_users_page(
    client: TestClient, database: Database
) -> None:
    _users(database)
    csrf = _login(client, "adm")
    page = client.get("/admin/users")
    assert 'action="/admin/users/tra/create-right"' in page.text
    granted = client.post("/admin/users/tra/create-right",
                          data={"csrf_token": csrf, "allowed": ["false", "true"]})
    assert granted.status_code == 200 and "tra may now create studies" in granted.text
    headers = bearer(database, "tra")
    assert client.post("/api/studies", json={"name": "mine"}, headers=headers).status_code == 201
    taken = client.post("/api/studies", json={"name": "taken"}, headers=headers)
    assert taken.status_code == 409, "a trusted creator is told the name is taken"
    client.post("/admin/users/tra/create-right", data={"csrf_token": csrf, "allowed": "false"})
    assert client.post("/api/studies", json={"name": "more"}, headers=headers).status_code == 403
    assert client.get("/api/studies/mine", headers=headers).status_code == 200, "theirs still"
    with database.session() as db:
        actions = [e.action for e in db.query(AuditEntry).filter(
            AuditEntry.action.like("user.%create"))]
    assert actions == ["user.grant_create", "user.revoke_create"]


def test_administrators_and_granted_users_see_the_form(
    client: TestClient, database: Database
) -> None:
    _users(database)
    _login(client, "adm")
    assert "New study" in client.get("/").text
    with database.session() as db:
        accounts.set_create_right(db, user=accounts.get_user(db, "own"), allowed=True)
    _login(client, "own")
    assert "New study" in client.get("/").text


def test_grant_and_revoke_on_the_command_line(sqlite_database: Database) -> None:
    database = sqlite_database  # the command line opens the data folder's SQLite file
    _users(database)
    runner = CliRunner()
    data = ["--data-dir", str(database.settings.data_dir)]
    done = runner.invoke(cli_app, ["user", "grant-create", "tra", *data])
    assert done.exit_code == 0 and "'tra' may create studies" in done.output
    with database.session() as db:
        assert accounts.get_user(db, "tra").can_create_studies
    done = runner.invoke(cli_app, ["user", "revoke-create", "tra", *data])
    assert done.exit_code == 0 and "may not create studies" in done.output
    with database.session() as db:
        assert not accounts.get_user(db, "tra").can_create_studies


def test_the_migration_gives_the_right_to_every_owner_and_administrator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    command.upgrade(config, "0005")
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        db.executemany("INSERT INTO users (id, username, is_admin, created_at) VALUES (?, ?, ?, ?)",
                       [(1, "boss", 1, "2026-01-01"), (2, "own", 0, "2026-01-01"),
                        (3, "cod", 0, "2026-01-01")])
        db.execute("INSERT INTO studies (id, name, title, description, settings, created_at) "
                   "VALUES (1, 's', 's', '', '{}', '2026-01-01')")
        db.executemany("INSERT INTO memberships (study_id, user_id, role) VALUES (1, ?, ?)",
                       [(2, "owner"), (3, "coder")])
    command.upgrade(config, "head")
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        rows = dict(db.execute("SELECT username, can_create_studies FROM users").fetchall())
    assert rows == {"boss": 1, "own": 1, "cod": 0}
