"""Blind coding and training hold at the server: JSON API, pages, reports and exports.

Every coding's events carry a marker only they hold. Each asker then walks every GET route of
the app (path filled from the world, with ``?coder=`` and ``?format=`` variants where a route
takes them) and no answer may carry a marker or the name of a coding the asker must not see.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from samspill.web.routes import all_routes
from tests.security.test_permission_matrix import permission_of
from tests.security.world import World, marker

# Codings each asker must never receive while all codings but the master are in progress.
HIDDEN = {
    "cod": ["cod2", "tra", "master"],
    "cod2": ["cod", "tra", "master"],
    "tra": ["cod", "cod2", "master"],
    "vie": ["cod", "cod2", "tra"],
}
QUERY_VARIANTS = ["", "?coder=cod2", "?coder=own", "?coder=tra", "?coder=cod", "?format=csv"]


def _get_paths(world: World) -> list[str]:
    values = {"study": "s1", "session": "v1", "dyad": "D01", "media_id": str(world.media_id)}
    paths = []
    for route in all_routes():
        if "GET" not in route.methods or route.path.startswith("/login"):
            continue
        for coding in world.codings.values() if "{coding_id}" in route.path else [None]:
            filled = {**values, "coding_id": str(coding)}
            path = re.sub(r"\{([^}:]+)\}", lambda m, f=filled: f.get(m.group(1), "1"), route.path)
            variants = QUERY_VARIANTS if re.search(r"report|export", path) else [""]
            paths += [path + q for q in variants]
    return paths


def _leaks(body: str, asker: str) -> list[str]:
    found = [c for c in HIDDEN[asker] if marker(c) in body]
    if asker != "vie" and re.search(r"\bcod2\b" if asker != "cod2" else r"\bcod\b", body):
        found.append("another coder's name")
    return found


@pytest.mark.parametrize("asker", sorted(HIDDEN))
def test_no_answer_carries_a_coding_the_asker_must_not_see(
    asker: str, world: World, world_client: TestClient
) -> None:
    leaks, answered = [], 0
    for path in _get_paths(world):
        response = world_client.get(path, headers=world.headers(asker), follow_redirects=False)
        assert response.status_code < 500, path
        answered += response.status_code == 200
        body = response.content.decode("utf-8", errors="replace")
        leaks += [f"{path}: {leak}" for leak in _leaks(body, asker)]
    assert leaks == []
    assert answered >= 10  # the walk reached real pages, not only refusals


def test_the_walk_would_see_a_leak(world: World, world_client: TestClient) -> None:
    """The owner sees everything, so the same walk finds every marker for the owner."""
    paths = [p for p in _get_paths(world) if p.endswith("/events")]
    bodies = "".join(world_client.get(p, headers=world.headers("own")).text for p in paths)
    assert all(marker(c) in bodies for c in ("cod", "cod2", "tra", "master"))


def test_a_coder_lists_only_their_own_coding(world: World, world_client: TestClient) -> None:
    listed = world_client.get(
        "/api/studies/s1/sessions/v1/codings", headers=world.headers("cod")
    ).json()
    assert [c["coder"] for c in listed] == ["cod"]


def test_a_trainee_gets_no_master_before_submitting(
    world: World, world_client: TestClient
) -> None:
    headers = world.headers("tra")
    master = world.codings["master"]
    for suffix in ("", "/events", "/ratings", "/scores", "/scores/display", "/workspace"):
        response = world_client.get(f"/api/codings/{master}{suffix}", headers=headers)
        assert response.status_code == 404, suffix
    listed = world_client.get("/api/studies/s1/sessions/v1/codings", headers=headers).json()
    assert [c["coder"] for c in listed] == ["tra"]


def test_a_viewer_reads_finished_codings_only(world: World, world_client: TestClient) -> None:
    headers = world.headers("vie")
    assert world_client.get(f"/api/codings/{world.codings['master']}/events", headers=headers)
    for coder in ("cod", "cod2", "tra"):
        response = world_client.get(f"/api/codings/{world.codings[coder]}/events", headers=headers)
        assert response.status_code == 404


def test_every_coding_route_goes_through_the_blind_rule() -> None:
    """A coding route must use a coding.* permission, which applies the ownership rule."""
    loose = [
        route.path
        for route in all_routes()
        if "{coding_id}" in route.path and not permission_of(route).startswith("coding.")
    ]
    assert loose == []
