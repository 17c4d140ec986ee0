"""Shared fixtures: settings in a temporary folder, databases on SQLite and PostgreSQL, clients.

Speed without sharing state:

- Every test database is a copy of a *template* migrated once per session (per xdist worker):
  SQLite copies the template's file, PostgreSQL runs ``CREATE DATABASE ... TEMPLATE``. Each test
  still gets its own database, with the schema Alembic built and the built-in schemes.
- The demo video is rendered once per run (shared by the xdist workers) and copied to every later
  ``load_demo`` that asks for it: its frames and its sound depend only on the events and the
  duration, the cache's key.
- Hypothesis: the ``ci`` profile (``SAMSPILL_HYPOTHESIS_PROFILE=ci``, or any ``CI`` variable) is
  derandomised, keeps no example database and has no deadline, so a property test gives the same
  verdict on every run however loaded the machine is. Locally Hypothesis keeps its defaults.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from samspill.core.events import Event
from samspill.services import demo
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

# Examples are not lowered: almost every property test sets its own max_examples, and those win.
hypothesis_settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(
    os.environ.get("SAMSPILL_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


def pytest_report_header() -> str:
    return f"hypothesis profile: {hypothesis_settings.get_current_profile_name()}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", min_password_length=12)


# --- PostgreSQL -------------------------------------------------------------------------------


def _require_postgres() -> str:
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("SAMSPILL_TEST_POSTGRES_URL is not set; run the tests with 'make test'")
        pytest.skip("no PostgreSQL server: set SAMSPILL_TEST_POSTGRES_URL or run 'make test'")
    return POSTGRES_URL


@functools.cache
def _admin() -> Engine:
    """One connection pool to the server's maintenance database, for CREATE and DROP."""
    return create_engine(_require_postgres(), isolation_level="AUTOCOMMIT", pool_size=1)


def _fresh_postgres_url(template: str | None = None) -> str:
    """A new database on the test server, so tests never see each other's rows: empty, or a
    copy of ``template``."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with _admin().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    return make_url(_require_postgres()).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    with _admin().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


def _migrated(settings: Settings) -> None:
    """Migrate from scratch and add the built-in schemes: what every test database starts as."""
    database = Database(settings)
    database.migrate()
    with database.session() as session:
        register_builtin_schemes(session)
    database.dispose()


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated once; test databases are made from it (no one may connect to it)."""
    url = _fresh_postgres_url()
    try:
        _migrated(Settings(data_dir=tmp_path_factory.mktemp("pg-template"), database_url=url))
        yield make_url(url).database or ""
    finally:
        _drop_postgres(url)
        _admin().dispose()


# --- SQLite -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once, checkpointed into one file; test databases are copies."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("sqlite-template") / "data")
    _migrated(settings)
    path = settings.sqlite_path
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not path.with_name(path.name + "-wal").exists(), "the template's WAL was not merged"
    return path


def _sqlite_copy(template: Path, settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, settings.sqlite_path)


# --- Databases for tests ----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Every storage test runs on both backends."""
    return request.param


@pytest.fixture
def backend_settings(backend: str, settings: Settings) -> Iterator[Settings]:
    """The same settings on each storage backend, with an empty database (nothing migrated)."""
    if backend == "sqlite":
        yield settings
        return
    url = _fresh_postgres_url()
    try:
        yield settings.model_copy(update={"database_url": url})
    finally:
        _drop_postgres(url)


@pytest.fixture
def database(
    backend: str, settings: Settings, request: pytest.FixtureRequest
) -> Iterator[Database]:
    """A migrated database of its own with the built-in schemes, on each backend."""
    if backend == "sqlite":
        _sqlite_copy(request.getfixturevalue("sqlite_template"), settings)
        db = Database(settings)
        yield db
        db.dispose()
        return
    url = _fresh_postgres_url(template=request.getfixturevalue("postgres_template"))
    db = Database(settings.model_copy(update={"database_url": url}))
    try:
        yield db
    finally:
        db.dispose()
        _drop_postgres(url)


@pytest.fixture
def sqlite_database(settings: Settings, sqlite_template: Path) -> Iterator[Database]:
    _sqlite_copy(sqlite_template, settings)
    db = Database(settings)
    yield db
    db.dispose()


# --- The demo video ---------------------------------------------------------------------------


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this run that every xdist worker sees (the workers' base folders' parent)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session", autouse=True)
def demo_video_rendered_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``load_demo`` renders its video (seconds of CPU) the first time in a run; later calls get
    a copy of that file. Only ``load_demo``'s renderer is wrapped: tests of the renderer itself
    import and run it directly."""
    folder = _shared_folder(tmp_path_factory) / "demo-video"
    folder.mkdir(exist_ok=True)
    render = demo.render_demo_video

    def render_once(events: Sequence[Event], duration_ms: int, out: Path,
                    people: object = None) -> Path:
        frames = json.dumps([[e.model_dump(mode="json") for e in events], duration_ms,
                             people is not None], sort_keys=True)
        key = hashlib.sha256(frames.encode()).hexdigest()[:20]
        rendered = folder / f"{key}.webm"
        with _locked(folder / f"{key}.lock"):
            if not rendered.exists():
                extra = {} if people is None else {"people": people}
                part = render(events, duration_ms, folder / f"{key}.part.webm", **extra)
                os.replace(part, rendered)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(rendered, out)
        return out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo, "render_demo_video", render_once)
        yield folder


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say in the log how many tests ran on PostgreSQL, so CI shows they did run."""
    passed = terminalreporter.stats.get("passed", [])
    on_postgres = [r for r in passed if "[postgres" in r.nodeid]
    terminalreporter.write_line(f"PostgreSQL: {len(on_postgres)} storage tests passed on a real "
                                f"server ({POSTGRES_URL or 'none configured'})")
