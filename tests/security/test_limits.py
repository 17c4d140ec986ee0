"""Body size limits count the bytes as they arrive, before any login check (issue 21, item 4).

The requests are driven straight through the ASGI interface with a ``receive`` that counts
what the server pulls, so a test can tell "refused while streaming" from "read whole, then
refused" without sending hundreds of megabytes.
"""

from __future__ import annotations

import json
from typing import Any

from samspill.settings import Settings
from samspill.store.db import Database
from samspill.web.app import create_app
from samspill.web.serving import run_in_own_loop
from tests.security.world import World

CHUNK = 64 * 1024


def drive(
    settings: Settings,
    path: str,
    body_size: int,
    *,
    headers: dict[str, str] | None = None,
    prefix: bytes = b"",
    chunked: bool = True,
) -> tuple[int, int, bytes]:
    """POST a body of ``body_size`` bytes in chunks; the answer's status, the bytes the
    server pulled, and the answer's body."""
    database = Database(settings)
    app = create_app(settings, database=database)
    pulled = 0
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= body_size:
            return {"type": "http.disconnect"}
        part = (prefix if pulled == 0 else b"") or b"x" * CHUNK
        part = part[: body_size - pulled]
        pulled += len(part)
        return {"type": "http.request", "body": part, "more_body": pulled < body_size}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if not chunked:
        raw.append((b"content-length", str(body_size).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "app": app,
    }
    run_in_own_loop(app(scope, receive, send))  # a test worker may run a loop already
    database.dispose()
    return answer["status"], pulled, answer["body"]


def test_a_chunked_json_body_without_login_is_refused_before_it_is_read_whole(
    world: World,
) -> None:
    settings = world.settings.model_copy(update={"max_body_mb": 1})
    status, pulled, body = drive(
        settings,
        "/api/studies",
        300 * 2**20,
        headers={"content-type": "application/json"},
        prefix=b'{"name": "s9", "title": "',
    )
    assert status == 413
    assert pulled <= 2**20 + CHUNK  # the rest of the 300 MB was never read
    error = json.loads(body)["error"]
    assert "larger than 1 MB" in error["message"] and "max_body_mb" in error["fix"]


def test_a_multipart_body_without_login_is_not_spooled_past_the_small_limit(
    world: World,
) -> None:
    settings = world.settings.model_copy(update={"max_body_mb": 1, "max_upload_mb": 100})
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="v.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    status, pulled, _ = drive(
        settings,
        "/studies/s1/sessions/v1/media",
        150 * 2**20,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        prefix=head,
    )
    assert status == 413 and pulled <= 2**20 + CHUNK


def test_an_import_upload_is_refused_while_streaming_at_its_own_limit(world: World) -> None:
    settings = world.settings.model_copy(update={"max_import_mb": 2, "max_body_mb": 1})
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="big.boris"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    status, pulled, body = drive(
        settings,
        "/studies/s1/import/boris",
        300 * 2**20,
        headers={
            "content-type": f"multipart/form-data; boundary={boundary}",
            **world.headers("own"),
        },
        prefix=head,
    )
    assert status == 413 and pulled <= 2 * 2**20 + CHUNK
    assert "max_import_mb" in json.loads(body)["error"]["fix"]


def test_a_logged_in_video_upload_may_be_larger_than_other_bodies(world: World) -> None:
    """The video route keeps its own, larger limit (max_upload_mb) for a logged-in owner; the
    body then reaches the route (here refused by ffprobe as no video, not by its size)."""
    settings = world.settings.model_copy(update={"max_body_mb": 1, "max_upload_mb": 8})
    status, pulled, body = drive(
        settings,
        "/api/studies/s1/sessions/v1/media",
        3 * 2**20,
        headers=world.headers("own"),
    )
    assert pulled == 3 * 2**20 and status != 413, body


def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(
    world: World,
) -> None:
    settings = world.settings.model_copy(update={"max_body_mb": 1})
    status, pulled, _ = drive(settings, "/api/login", 5 * 2**20, chunked=False)
    assert status == 413 and pulled == 0
