"""Engines, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from samspill.settings import Settings
from samspill.store import lengths
from samspill.store.folder import private_dir, private_file
from samspill.store.sqlite_gate import WriteGate, gated_connection_class

BUSY_TIMEOUT_S = 30


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, foreign keys, a busy timeout and a write gate (one writer at
    a time, queued in the process: see ``sqlite_gate``). Errors never quote a statement's
    parameters (``hide_parameters``): they may hold a coder's comment or a name, and error
    messages end up in logs (issue 21, item 11)."""
    if url.startswith("sqlite"):
        connect_args = {
            "check_same_thread": False,
            "timeout": BUSY_TIMEOUT_S,
            "factory": gated_connection_class(WriteGate(BUSY_TIMEOUT_S)),
        }
        # No cap on connections: a SQLite connection is a file handle, and a cap below the web
        # server's worker threads could leave every worker waiting for a connection held by a
        # request that is itself waiting for a worker. Idle ones beyond 10 are closed.
        in_memory = make_url(url).database in (None, "", ":memory:")
        pool = {} if in_memory else {"pool_size": 10, "max_overflow": -1}
        engine = create_engine(url, connect_args=connect_args, hide_parameters=True, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros, not left in free pages (a deleted dyad's names
    # and comments must not stay readable in the file; issue 21, item 18).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def alembic_config(url: str) -> Config:
    folder = resources.files("samspill.store") / "migrations"
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (idempotent)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """One engine and its session factory; the app and the CLI each hold one."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if not settings.database_url:
            # 0700 and 0600 (issue 21, item 12): SQLite gives its -wal and -shm files the
            # database file's mode, so creating that one private keeps all three private.
            private_file(private_dir(settings.data_dir) / settings.sqlite_path.name)
        self.engine = make_engine(settings.effective_database_url())
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        lengths.install(self.sessions)  # too-long text: a clear 400 on every backend

    def migrate(self) -> None:
        migrate(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        with self.sessions() as db, db.begin():
            yield db

    def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database and empty it, so deleted data
        is no longer in the WAL file (issue 21, item 18). PostgreSQL: nothing to do here."""
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        self.engine.dispose()
