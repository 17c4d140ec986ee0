from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from samspill.services import accounts, credentials
from samspill.store.db import Database
from samspill.web.app import create_app
from tests.factories import Built, make_coded_session


@pytest.fixture
def app(database: Database):
    return create_app(database.settings, database=database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def built(database: Database) -> Built:
    with database.session() as db:
        return make_coded_session(db)


def bearer(database: Database, username: str) -> dict[str, str]:
    with database.session() as db:
        token = credentials.create_api_token(db, user=accounts.get_user(db, username))
    return {"Authorization": f"Bearer {token}"}
