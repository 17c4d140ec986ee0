"""The JSON API: health, tokens, 401 without a login, and the permission declared on each route."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from samspill.services import accounts, codings, studies
from samspill.store.db import Database
from samspill.web.deps import Permission
from samspill.web.routes import all_routes
from tests.factories import PASSWORD, Built, make_user
from tests.web.conftest import bearer


def _permissions(route: APIRoute) -> list[str]:
    found = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Permission):
            found.append(dependant.call.name)
        stack.extend(dependant.dependencies)
    return found


def test_every_route_declares_exactly_one_permission() -> None:
    routes = all_routes()
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if len(set(_permissions(r))) != 1]
    assert len(routes) > 25
    assert missing == []


def test_a_route_without_a_permission_would_be_caught() -> None:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/api/forgotten")
    def forgotten() -> None: ...

    assert _permissions(router.routes[0]) == []


def test_health_answers_without_login(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_every_other_api_route_answers_401_without_login(client: TestClient, built: Built) -> None:
    checked = 0
    for route in all_routes():
        if not route.path.startswith("/api"):
            continue
        if _permissions(route) == ["public"]:
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path).replace("/studies/1", "/studies/s1")
        for method in route.methods:
            response = client.request(method, path, json={})
            assert response.status_code == 401, f"{method} {path}"
            assert response.json()["error"]["type"] == "AuthenticationError"
            checked += 1
    assert checked >= 15


def test_a_token_lists_studies_and_sessions(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = bearer(database, built.owner.username)
    assert [s["name"] for s in client.get("/api/studies", headers=headers).json()] == ["s1"]
    sessions = client.get("/api/studies/s1/sessions", headers=headers).json()
    assert sessions[0]["name"] == "v1" and sessions[0]["dyad"] == "D01"


def test_a_wrong_token_is_refused(client: TestClient, built: Built) -> None:
    response = client.get("/api/studies", headers={"Authorization": "Bearer ssp_nope"})
    assert response.status_code == 401


def test_a_non_member_cannot_tell_a_study_exists(
    client: TestClient, database: Database, built: Built
) -> None:
    with database.session() as db:
        make_user(db, "stranger")
    headers = bearer(database, "stranger")
    assert client.get("/api/studies/s1", headers=headers).status_code == 404
    assert client.get("/api/studies", headers=headers).json() == []


def test_a_viewer_cannot_create_sessions(
    client: TestClient, database: Database, built: Built
) -> None:
    with database.session() as db:
        viewer = make_user(db, "vera")
        studies.set_role(db, study=studies.get_study(db, "s1"), user=viewer, role="viewer")
    response = client.post(
        "/api/studies/s1/sessions",
        headers=bearer(database, "vera"),
        json={"name": "new", "dyad": "D02"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["fix"]


def test_blind_coders_never_receive_each_others_codings(
    client: TestClient, database: Database, built: Built
) -> None:
    with database.session() as db:
        study = studies.get_study(db, "s1")
        for name in ("cora", "carl"):
            studies.set_role(db, study=study, user=make_user(db, name), role="coder")
    cora, carl = bearer(database, "cora"), bearer(database, "carl")
    created = client.post("/api/studies/s1/sessions/v1/codings", headers=cora, json={}).json()
    assert client.get(f"/api/codings/{created['id']}/events", headers=carl).status_code == 404
    listed = client.get("/api/studies/s1/sessions/v1/codings", headers=carl).json()
    assert listed == []
    mine = client.get("/api/studies/s1/sessions/v1/codings", headers=cora).json()
    assert [c["coder"] for c in mine] == ["cora"]
    owner_view = client.get(
        "/api/studies/s1/sessions/v1/codings", headers=bearer(database, built.owner.username)
    ).json()
    assert {c["coder"] for c in owner_view} == {"cora", built.owner.username}


def test_actions_are_idempotent_over_http(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = bearer(database, built.owner.username)
    action = {
        "id": "0b6a6f3e-8f3e-4c55-9a1e-222222222222",
        "type": "add",
        "event": {
            "id": "0b6a6f3e-8f3e-4c55-9a1e-333333333333",
            "subject": "child",
            "code": "bid",
            "onset_ms": 300000,
            "modifiers": {"kind": "call"},
        },
    }
    url = f"/api/codings/{built.coding.id}/actions"
    first = client.post(url, headers=headers, json={"actions": [action]})
    second = client.post(url, headers=headers, json={"actions": [action]})
    assert [r["status"] for r in first.json()] == ["applied"]
    assert [r["status"] for r in second.json()] == ["duplicate"]
    events = client.get(f"/api/codings/{built.coding.id}/events", headers=headers).json()
    assert len(events["events"]) == 22


def test_a_bad_action_is_refused_with_the_fix_and_changes_nothing(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = bearer(database, built.owner.username)
    action = {
        "id": "0b6a6f3e-8f3e-4c55-9a1e-444444444444",
        "type": "add",
        "event": {"subject": "child", "code": "giggle", "onset_ms": 1},
    }
    response = client.post(
        f"/api/codings/{built.coding.id}/actions", headers=headers, json={"actions": [action]}
    )
    assert response.status_code == 400
    assert "giggle" in response.json()["error"]["message"]
    with database.session() as db:
        assert len(codings.coding_events(db, codings.get_coding(db, built.coding.id))) == 21


def test_login_sets_an_httponly_cookie_and_a_new_session_each_time(
    client: TestClient, built: Built
) -> None:
    body = {"username": built.owner.username, "password": PASSWORD}
    first = client.post("/api/login", json=body)
    cookie_one = first.cookies.get("samspill_session")
    second = client.post("/api/login", json=body)
    assert first.status_code == 200 and cookie_one
    assert cookie_one != second.cookies.get("samspill_session")
    assert "httponly" in first.headers["set-cookie"].lower()
    assert "samesite=strict" in first.headers["set-cookie"].lower()


def test_a_browser_write_without_the_csrf_token_is_refused(
    client: TestClient, built: Built
) -> None:
    login = client.post(
        "/api/login", json={"username": built.owner.username, "password": PASSWORD}
    ).json()
    body = {"name": "s2"}
    assert client.post("/api/studies", json=body).status_code == 403
    ok = client.post("/api/studies", json=body, headers={"X-CSRF-Token": login["csrf_token"]})
    assert ok.status_code == 201


def test_repeated_wrong_passwords_lock_the_account_with_429(
    client: TestClient, built: Built
) -> None:
    body = {"username": built.owner.username, "password": "wrong password!"}
    codes = [client.post("/api/login", json=body).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    right = {"username": built.owner.username, "password": PASSWORD}
    assert client.post("/api/login", json=right).status_code == 429


def test_the_one_time_login_link_works_once(client: TestClient, database: Database) -> None:
    from samspill.services.setup import ensure_admin, login_link

    with database.session() as db:
        link = login_link(db, ensure_admin(db), host="127.0.0.1", port=8000)
    path = link.split("8000", 1)[1]
    first = client.get(path, follow_redirects=False)
    assert first.status_code == 303 and first.cookies.get("samspill_session")
    client.cookies.clear()
    again = client.get(path, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")
    assert client.get(path, headers={"Accept": "application/json"}).status_code == 401


def test_security_headers_are_on_every_response(client: TestClient) -> None:
    headers = client.get("/api/health").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_unknown_user_for_a_password_login_gets_the_same_answer(
    client: TestClient, database: Database
) -> None:
    with database.session() as db:
        accounts.add_user(db, username="real", password=PASSWORD)
    unknown = client.post("/api/login", json={"username": "ghost", "password": "x" * 12})
    wrong = client.post("/api/login", json={"username": "real", "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["error"]["message"] == wrong.json()["error"]["message"]
