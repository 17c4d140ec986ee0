"""Shared fixtures: settings in a temporary folder, databases on SQLite and PostgreSQL, clients."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from samspill.services.schemes import register_builtin_schemes
from samspill.settings import Settings
from samspill.store.db import Database

POSTGRES_URL = os.environ.get("SAMSPILL_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("SAMSPILL_REQUIRE_POSTGRES") == "1"
# Text the tests put into comments, names and dyads to spot it where it must not go: no log
# line of the whole run may hold it (issue 21, item 11). tests/security/world.py's markers
# and child's name, and the markers of tests/security/test_logs_and_input.py.
LOG_MARKERS = ("LEAK-", "Ingrid Testesen", "MARKER-")


class _LogWatch(logging.Handler):
    """Every log record of the run, formatted with its traceback, searched for the markers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.hits: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
        if any(marker in text for marker in LOG_MARKERS):
            self.hits.append(text[:400])


LOG_WATCH = _LogWatch()
logging.getLogger().addHandler(LOG_WATCH)


@pytest.fixture(autouse=True)
def no_test_data_in_any_log_line() -> Iterator[None]:
    LOG_WATCH.hits.clear()
    yield
    if LOG_WATCH.hits:
        pytest.fail("a log line holds test data (a comment, name or code):\n"
                    + "\n".join(LOG_WATCH.hits))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", min_password_length=12)


def _fresh_postgres_url() -> str:
    """A new, empty database on the test server, so tests never see each other's rows."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("SAMSPILL_TEST_POSTGRES_URL is not set; run the tests with 'make test'")
        pytest.skip("no PostgreSQL server: set SAMSPILL_TEST_POSTGRES_URL or run 'make test'")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGRES_URL or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    """The same settings on each storage backend: every storage test runs on both."""
    if request.param == "sqlite":
        yield settings
        return
    url = _fresh_postgres_url()
    try:
        yield settings.model_copy(update={"database_url": url})
    finally:
        _drop_postgres(url)


@pytest.fixture
def database(backend_settings: Settings) -> Iterator[Database]:
    db = Database(backend_settings)
    db.migrate()
    with db.session() as session:
        register_builtin_schemes(session)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(settings: Settings) -> Iterator[Database]:
    db = Database(settings)
    db.migrate()
    with db.session() as session:
        register_builtin_schemes(session)
    yield db
    db.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say in the log how many tests ran on PostgreSQL, so CI shows they did run."""
    passed = terminalreporter.stats.get("passed", [])
    on_postgres = [r for r in passed if "[postgres" in r.nodeid]
    terminalreporter.write_line(f"PostgreSQL: {len(on_postgres)} storage tests passed on a real "
                                f"server ({POSTGRES_URL or 'none configured'})")
