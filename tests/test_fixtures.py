"""The shared fixtures keep tests apart: a test database is a private copy of a template that
Alembic migrated, and what a test writes never reaches the template the next test copies."""

from __future__ import annotations

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from samspill.store.db import Database, alembic_config
from samspill.store.models import SchemeVersion, User
from tests.conftest import POSTGRES_URL
from tests.factories import make_user


def _template_url(backend: str, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{request.getfixturevalue('sqlite_template')}"
    name = request.getfixturevalue("postgres_template")
    return make_url(POSTGRES_URL or "").set(database=name).render_as_string(hide_password=False)


def _users_in(url: str) -> int:
    engine = create_engine(url)  # closed at once: PostgreSQL copies no template in use
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM users")).scalar_one()
    finally:
        engine.dispose()


def test_a_test_database_is_a_private_copy_of_the_migrated_template(
    database: Database, backend: str, request: pytest.FixtureRequest
) -> None:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    with database.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    with database.session() as db:
        assert db.scalar(select(func.count()).select_from(SchemeVersion)) >= 1  # built-in ones
        assert db.scalar(select(func.count()).select_from(User)) == 0
        make_user(db, "only-here")
    template = _template_url(backend, request)
    assert template != database.engine.url.render_as_string(hide_password=False)
    assert _users_in(template) == 0
