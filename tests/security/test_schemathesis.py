"""Schemathesis over the whole OpenAPI, authenticated as the study's owner: no 5xx, ever.

Schemathesis generates requests for every operation (valid and invalid paths, queries and
bodies, from the schema); each goes through the app in process. Its pytest plugin does not run
on this pytest, so the cases are drawn with hypothesis directly.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samspill.store.db import Database
from samspill.web.app import create_app
from tests.security.world import World

schemathesis = pytest.importorskip("schemathesis")
PER_OPERATION = 6


def test_no_operation_answers_with_a_server_error(world: World) -> None:
    database = Database(world.settings)
    app = create_app(world.settings, database=database)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    headers = world.headers("own")
    seen: dict[str, int] = {}

    @settings(
        max_examples=PER_OPERATION * len(operations),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of([op.as_strategy() for op in operations]))
    def one(case) -> None:
        response = case.call(headers=headers)
        key = f"{case.method} {case.operation.path}"
        seen[key] = seen.get(key, 0) + 1
        assert response.status_code < 500, f"{key}: {response.status_code} {response.text[:300]}"

    one()
    database.dispose()
    assert sum(seen.values()) >= 200 and len(seen) >= 30
