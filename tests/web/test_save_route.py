"""The coding screen's save route reads its own body, after the permission check."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient

from samspill.store.db import Database
from tests.factories import Built
from tests.web.conftest import bearer
from tests.web.test_pages import _login


def _path(built: Built) -> str:
    return f"/api/codings/{built.coding.id}/actions"


def test_a_form_post_is_refused_plainly_not_with_a_crash(
    client: TestClient, built: Built
) -> None:
    csrf = _login(client, built.owner.username)
    answer = client.post(_path(built), data={"csrf_token": csrf, "actions": "[]"})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "the actions must be sent as JSON"
    client.cookies.set("samspill_session", "made-up")
    assert client.post(_path(built), data={"csrf_token": csrf}).status_code == 401


def test_body_errors_are_located_as_fastapi_locates_them(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = bearer(database, built.owner.username)
    bad = {"actions": [{"id": "not-a-uuid", "type": "add"}]}
    answer = client.post(_path(built), json=bad, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["where"].startswith("body")
    broken = client.post(
        _path(built),
        content=b"{not json",
        headers={**headers, "content-type": "application/json"},
    )
    assert broken.status_code == 422
    text = client.post(
        _path(built), content=b"{}", headers={**headers, "content-type": "text/plain"}
    )
    assert text.status_code == 400


def test_a_refusal_comes_before_any_word_about_the_body(client: TestClient, built: Built) -> None:
    assert client.post(_path(built), content=b"{not json").status_code == 401


def test_the_openapi_body_schema_has_no_dangling_references(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/codings/{coding_id}/actions"]
    body = json.dumps(operation["post"]["requestBody"])
    assert "$ref" not in body and "$defs" not in body
    assert '"actions"' in body


def test_a_good_batch_is_saved_through_the_same_route(
    client: TestClient, database: Database, built: Built
) -> None:
    event_id = str(uuid.uuid4())
    action = {
        "id": str(uuid.uuid4()),
        "type": "add",
        "event": {"id": event_id, "subject": "child", "code": "bid", "onset_ms": 1234,
                  "modifiers": {"kind": "show"}},
    }
    headers = bearer(database, built.owner.username)
    answer = client.post(_path(built), json={"actions": [action]}, headers=headers)
    assert answer.status_code == 200 and answer.json()[0]["status"] == "applied"
    again = client.post(_path(built), json={"actions": [action]}, headers=headers)
    assert again.json()[0]["status"] == "duplicate"
