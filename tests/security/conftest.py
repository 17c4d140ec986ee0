from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from samspill.settings import Settings
from samspill.store.db import Database
from samspill.web.app import create_app
from tests.security.world import World, build_world


@pytest.fixture(scope="session")
def template_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("template-world")
    return build_world(Settings(data_dir=folder / "data", min_password_length=12))


@pytest.fixture
def world(template_world: World, tmp_path: Path) -> World:
    """A fresh copy of the world (SQLite), free to change."""
    return template_world.copy_to(tmp_path / "data")


@pytest.fixture
def world_client(world: World) -> Iterator[TestClient]:
    database = Database(world.settings)
    with TestClient(create_app(world.settings, database=database)) as client:
        yield client
    database.dispose()
