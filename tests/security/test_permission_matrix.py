"""The permission matrix, generated from the permission table: every route × every role × own
or another's coding, over HTTP. The expected answer comes from ``web/permissions.py`` alone.

A refusal is the Permission dependency's own answer (403, or 404 so that non-members cannot
tell a study exists); anything else means the request got past it. No answer may be a 5xx.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from samspill.services.access import REFUSALS as ROLE_REFUSALS
from samspill.web.deps import Permission
from samspill.web.permissions import (
    COURSE_ROLES,
    SEES_ALL_CODINGS,
    SEES_FINISHED_CODINGS,
    STUDY_ROLES,
)
from samspill.web.routes import all_routes
from tests.security.world import World

# Who asks: study members by role, the owner of another study, an administrator, and (issue
# 12) a course's learner and second teacher, who hold no study role.
ASKERS = {"cod": "coder", "tra": "trainee", "vie": "viewer", "out": None, "adm": "owner",
          "lea": None, "tea": None}
# Their roles in the course ``c1``: its maker (the study's owner) and ``tea`` teach it;
# administrators teach every course.
COURSE_ASKERS = {"own": "teacher", "tea": "teacher", "lea": "learner", "adm": "teacher"}
ASKERS_LAST = {"own": "owner"}  # the owner last: some of its requests delete things
REFUSALS = {"no such study", "no such coding", "administrators only", "this needs a study",
            "no such course", "only the course's teachers may do this"}
# The permissions whose refusal says who may (``services.access.REFUSALS``).
REFUSALS |= {why for why, _ in ROLE_REFUSALS.values()}


def permission_of(route: APIRoute) -> str:
    found, stack = set(), [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Permission):
            found.add(dependant.call.name)
        stack.extend(dependant.dependencies)
    assert len(found) == 1, f"{route.path} must declare exactly one permission, has {found}"
    return found.pop()


def expected_allowed(permission: str, asker: str, coding: str | None) -> bool:
    """The table's answer: study role, then the blind-coding rule for a coding in the path."""
    if permission in ("public", "authenticated"):
        return True
    if permission == "admin":
        return asker == "adm"
    if permission in COURSE_ROLES:
        return COURSE_ASKERS.get(asker) in COURSE_ROLES[permission]
    role = {**ASKERS, **ASKERS_LAST}[asker]
    if role not in STUDY_ROLES[permission]:
        return False
    if coding is None or not permission.startswith("coding."):
        return True
    finished = coding == "master"
    return (
        coding == asker
        or role in SEES_ALL_CODINGS
        or (permission == "coding.read" and role in SEES_FINISHED_CODINGS and finished)
    )


def is_refusal(response) -> bool:
    if response.status_code not in (403, 404):
        return False
    error = response.json().get("error", {})
    message = error.get("message", "")
    return message in REFUSALS or message.startswith("your role (")


def _path(route: APIRoute, world: World, coding: str | None) -> str:
    values = {
        "study": "s1",
        "session": "v1",
        "dyad": "D01",
        "segment_id": "00000000-0000-4000-8000-000000000001",
        "media_id": str(world.media_id),
        "coding_id": str(world.codings[coding]) if coding else "",
        "course": "c1",
        "lesson": "1",
        "clip": "0",
    }
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: values.get(m.group(1), "1"), route.path)


def _cases(route: APIRoute, world: World) -> list[tuple[str, str | None]]:
    """(asker, whose coding) pairs; for a coding route, each asker's own and others'."""
    askers = [*ASKERS, *ASKERS_LAST]
    if "{coding_id}" not in route.path:
        return [(a, None) for a in askers]
    cases = []
    for asker in askers:
        own = "master" if asker == "own" else asker
        targets = ["cod2", "master"] + ([own] if own in world.codings else [])
        cases += [(asker, t) for t in dict.fromkeys(targets)]
    return cases


ROUTES = [
    pytest.param(route, method, id=f"{method} {route.path}")
    for route in all_routes()
    for method in sorted(route.methods)
    if not route.path.startswith("/static")
]


@pytest.mark.parametrize(("route", "method"), ROUTES)
def test_every_route_answers_each_role_as_the_permission_table_says(
    route: APIRoute, method: str, world: World, world_client: TestClient
) -> None:
    permission = permission_of(route)
    wrong = []
    for asker, coding in _cases(route, world):
        path = _path(route, world, coding)
        kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        response = world_client.request(
            method, path, headers=world.headers(asker), follow_redirects=False, **kwargs
        )
        assert response.status_code < 500, f"{method} {path} as {asker}: {response.text[:200]}"
        allowed = expected_allowed(permission, asker, coding)
        if allowed == is_refusal(response):
            wrong.append(f"{asker} on {coding or '-'}: {response.status_code} (allowed={allowed})")
    assert wrong == [], f"{method} {route.path} [{permission}]"


def test_the_matrix_covers_every_route_and_each_study_permission() -> None:
    covered = {permission_of(route) for route, _ in (p.values for p in ROUTES)}
    study_scoped = covered - {"public", "authenticated", "admin"}
    assert study_scoped <= set(STUDY_ROLES) | set(COURSE_ROLES), \
        "a route names a permission the table lacks"
    assert {"course.create", "course.take", "course.teach"} <= covered
    assert {"study.read", "study.manage", "coding.read", "coding.write"} <= covered
    assert len(ROUTES) >= 50


def test_the_oracle_would_catch_a_coder_reading_another_coders_events() -> None:
    assert expected_allowed("coding.read", "cod", "cod2") is False
    assert expected_allowed("coding.read", "tra", "master") is False
    assert expected_allowed("coding.read", "vie", "master") is True
    assert expected_allowed("study.manage", "cod", None) is False
    assert expected_allowed("study.read", "out", None) is False
    # Issue 12: a learner reaches their course and nothing of the study it was made from.
    assert expected_allowed("course.take", "lea", None) is True
    assert expected_allowed("course.teach", "lea", None) is False
    assert expected_allowed("study.read", "lea", None) is False
    assert expected_allowed("media.read", "lea", None) is False
    assert expected_allowed("course.take", "cod", None) is False
    assert expected_allowed("course.create", "tea", None) is False
