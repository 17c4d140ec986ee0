"""Web hardening and degraded storage: secrets, upload limits, file names, cookies, CSP, and a
full disk or read-only data folder answered plainly with nothing acknowledged lost."""

from __future__ import annotations

import errno
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from typer.testing import CliRunner

from samspill.cli import app as cli_app
from samspill.core.errors import InputError
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.store.errors import storage_problem
from samspill.store.media import safe_filename
from samspill.store.models import EventRow
from samspill.web.app import create_app, require_safe_secret
from tests.factories import PASSWORD
from tests.security.world import World

TEMPLATES = Path(__file__).parents[2] / "src/samspill/web/templates"


@pytest.mark.parametrize("secret", [None, "", "changeme", "short-but-not-default"])
def test_a_default_or_weak_secret_is_refused_off_localhost(tmp_path: Path, secret) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=secret)
    with pytest.raises(InputError, match=r"refusing to serve on 0\.0\.0\.0"):
        require_safe_secret(settings, "0.0.0.0")


def test_a_strong_secret_serves_anywhere_and_localhost_keeps_a_generated_one(
    tmp_path: Path,
) -> None:
    strong = "x" * 40
    assert require_safe_secret(Settings(data_dir=tmp_path, secret_key=strong), "0.0.0.0") == strong
    first = require_safe_secret(Settings(data_dir=tmp_path), "127.0.0.1")
    assert len(first) >= 32 and require_safe_secret(Settings(data_dir=tmp_path), "::1") == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_serve_refuses_to_start_on_a_network_address_without_a_secret(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli_app, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")]
    )
    assert result.exit_code != 0
    assert "secret key" in str(result.exception) + result.output


def test_an_upload_over_the_limit_is_refused_before_it_is_read(world: World) -> None:
    settings = world.settings.model_copy(update={"max_upload_mb": 1})
    with TestClient(create_app(settings, database=Database(settings))) as client:
        response = client.post(
            "/api/studies/s1/sessions/v1/media?filename=big.mp4",
            content=b"\0" * (2 * 2**20),
            headers=world.headers("own"),
        )
    assert response.status_code == 413
    assert response.json()["error"]["fix"].startswith("compress the video")


def test_a_file_named_like_a_video_is_checked_by_ffprobe(
    world: World, world_client: TestClient
) -> None:
    response = world_client.post(
        "/api/studies/s1/sessions/v1/media?filename=../../clip.mp4",
        content=b"#!/bin/sh\necho this is no video\n" * 50,
        headers=world.headers("own"),
    )
    assert response.status_code == 400 and "ffmpeg" in response.json()["error"]["message"]
    assert not (world.settings.data_dir.parent / "clip.mp4").exists()


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "..\\..\\boot.ini", "/abs/path.mp4", ".hidden", "a\0b.mp4"]
)
def test_file_names_lose_every_folder_and_control_character(name: str) -> None:
    clean = safe_filename(name)
    assert "/" not in clean and "\\" not in clean and "\0" not in clean
    assert not clean.startswith(".") and clean not in ("", "..")


@pytest.mark.parametrize(
    "path", ["/static/../settings.py", "/static/%2e%2e/%2e%2e/pyproject.toml", "/api/media/..%2f1"]
)
def test_path_traversal_is_refused(world: World, world_client: TestClient, path: str) -> None:
    response = world_client.get(path, headers=world.headers("own"))
    assert response.status_code == 404
    assert "tool.ruff" not in response.text and "BaseSettings" not in response.text


def test_under_https_the_login_cookie_is_secure_httponly_and_strict(world: World) -> None:
    app = create_app(world.settings, database=Database(world.settings))
    with TestClient(app, base_url="https://testserver") as client:
        response = client.post("/api/login", json={"username": "cod", "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "strict-transport-security" in response.headers


def test_pages_hold_no_inline_script_or_style_the_csp_would_block() -> None:
    # A JSON data block (type="application/json") is data, never run: the CSP allows it.
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(
            r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>|<style|\sstyle=|\son[a-z]+=",
            text,
        ):
            offenders.append(template.name)
    assert offenders == []


def _post_event(client: TestClient, world: World, action_id: str):
    body = {
        "actions": [
            {
                "id": action_id,
                "type": "add",
                "event": {
                    "id": action_id,
                    "subject": "child",
                    "code": "bid",
                    "onset_ms": 1234,
                    "modifiers": {"kind": "show"},
                },
            }
        ]
    }
    return client.post(
        f"/api/codings/{world.codings['cod']}/actions", json=body, headers=world.headers("cod")
    )


@pytest.mark.parametrize(
    ("failure", "problem"),
    [
        (sqlite3.OperationalError("database or disk is full"), "disk is full"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
    ],
)
def test_a_full_or_read_only_store_answers_503_and_the_retry_saves_once(
    world: World, failure: Exception, problem: str
) -> None:
    database = Database(world.settings)
    app = create_app(world.settings, database=database)

    def refuse_writes(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise failure

    action = str(uuid.uuid4())
    with TestClient(app) as client:
        event.listen(database.engine, "before_cursor_execute", refuse_writes)
        refused = _post_event(client, world, action)
        event.remove(database.engine, "before_cursor_execute", refuse_writes)
        assert refused.status_code == 503
        error = refused.json()["error"]
        assert problem in error["message"] and "nothing was saved" in error["message"]
        assert _post_event(client, world, action).json()[0]["status"] == "applied"
        assert _post_event(client, world, action).json()[0]["status"] == "duplicate"
    with database.session() as db:
        assert db.scalar(select(func.count()).where(EventRow.id == action)) == 1


def test_a_full_disk_during_an_upload_is_said_plainly(
    world: World, world_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("samspill.web.routes.media.attach_file", no_space)
    response = world_client.post(
        "/api/studies/s1/sessions/v1/media?filename=v.mp4",
        content=b"video bytes",
        headers=world.headers("own"),
    )
    assert response.status_code == 503
    assert response.json()["error"]["message"].startswith("the server's disk is full")


def test_other_errors_are_not_mistaken_for_storage_problems() -> None:
    assert storage_problem(OSError(errno.ENOENT, "missing")) is None
    assert storage_problem(ValueError("database or disk is full")) is None
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = OSError(errno.EROFS, "Read-only file system")
    assert storage_problem(wrapped) == "the server's data folder is read-only"


def test_passwords_are_hashed_with_argon2id_and_short_ones_refused() -> None:
    from samspill.services import accounts

    assert accounts.hash_password("a long enough passphrase").startswith("$argon2id$")
    with pytest.raises(InputError, match="shorter than 12"):
        accounts.hash_password("too short", 12)
