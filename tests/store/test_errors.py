"""Storage errors classified: SQLite's (by result code, else by message), PostgreSQL's (by
SQLSTATE) and the operating system's (by errno) map to one problem each; anything else is no
storage problem. The web answers a storage problem with 503 (tests/security/test_hardening.py)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from samspill.core.errors import SamspillError, StorageError
from samspill.store.db import Database
from samspill.store.errors import StorageProblem, storage_error, storage_problem


def _wrapped(orig: BaseException) -> OperationalError:
    """As SQLAlchemy raises a driver's error: wrapped, with the driver's error as the cause."""
    try:
        try:
            raise orig
        except BaseException as error:
            raise OperationalError("INSERT INTO events ...", {}, error) from error
    except OperationalError as wrapper:
        return wrapper


def _read_only_sqlite_error(tmp_path: Path) -> sqlite3.Error:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("create table t (a)")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.execute("insert into t values (1)")
    except sqlite3.Error as error:
        return error
    finally:
        db.close()
    raise AssertionError("a read-only SQLite database took a write")


def test_a_real_sqlite_refusal_is_read_by_its_result_code(tmp_path: Path) -> None:
    error = _read_only_sqlite_error(tmp_path)
    assert error.sqlite_errorcode == 8  # type: ignore[attr-defined]
    assert storage_problem(error) is StorageProblem.READ_ONLY
    assert storage_problem(_wrapped(error)) is StorageProblem.READ_ONLY


def test_a_busy_sqlite_database_is_said_to_stay_busy(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0)
    try:
        writer.execute("create table t (a)")
        writer.execute("begin immediate")
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute("begin immediate")
    finally:
        writer.close()
        other.close()
    assert storage_problem(caught.value) is StorageProblem.BUSY


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("database or disk is full", StorageProblem.DISK_FULL),
        ("attempt to write a readonly database", StorageProblem.READ_ONLY),
        ("unable to open database file", StorageProblem.CANNOT_OPEN),
        ("disk I/O error", StorageProblem.IO_FAILED),
        ("database is locked", StorageProblem.BUSY),
    ],
)
def test_sqlite_errors_without_a_code_are_read_by_their_message(
    message: str, problem: StorageProblem
) -> None:
    assert storage_problem(sqlite3.OperationalError(message)) is problem
    assert storage_problem(_wrapped(sqlite3.OperationalError(message))) is problem


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (psycopg.errors.DiskFull("could not extend file"), StorageProblem.DISK_FULL),
        (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only "
                                               "transaction"), StorageProblem.READ_ONLY_DATABASE),
        (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
         StorageProblem.BUSY),
        (psycopg.errors.DeadlockDetected("deadlock detected"), StorageProblem.BUSY),
        (psycopg.errors.AdminShutdown("terminating connection"), StorageProblem.UNREACHABLE),
        (psycopg.errors.ConnectionFailure("connection failure"), StorageProblem.UNREACHABLE),
        (psycopg.errors.IoError("could not read block"), StorageProblem.IO_FAILED),
    ],
)
def test_postgresql_errors_are_read_by_their_sqlstate(
    error: psycopg.Error, problem: StorageProblem
) -> None:
    assert storage_problem(_wrapped(error)) is problem


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        (errno.ENOSPC, StorageProblem.DISK_FULL),
        (errno.EROFS, StorageProblem.READ_ONLY),
        (errno.EACCES, StorageProblem.NOT_ALLOWED),
        (errno.EDQUOT, StorageProblem.QUOTA),
    ],
)
def test_the_operating_systems_refusals_are_read_by_errno(
    number: int, problem: StorageProblem
) -> None:
    assert storage_problem(OSError(number, "refused")) is problem
    outer = RuntimeError("while attaching the video")
    outer.__cause__ = OSError(number, "refused")
    assert storage_problem(outer) is problem


def test_other_errors_are_no_storage_problem() -> None:
    assert storage_problem(OSError(errno.ENOENT, "missing")) is None
    assert storage_problem(ValueError("database or disk is full")) is None  # not the driver's
    assert storage_problem(psycopg.errors.UniqueViolation("duplicate key")) is None
    assert storage_problem(_wrapped(psycopg.errors.UniqueViolation("duplicate key"))) is None
    assert storage_problem(ProgrammingError("SELECT", {}, Exception("syntax error"))) is None
    assert storage_problem(sqlite3.IntegrityError("UNIQUE constraint failed")) is None


def test_a_storage_problem_becomes_the_error_familys_storage_error() -> None:
    error = storage_error(_wrapped(sqlite3.OperationalError("database or disk is full")))
    assert isinstance(error, StorageError) and isinstance(error, SamspillError)
    assert error.status_code == 503
    assert error.as_dict() == {
        "type": "StorageError",
        "message": "the server's disk is full; nothing was saved",
        "where": "",
        "fix": "tell the administrator; your unsaved work is kept and sent again",
    }
    assert storage_error(ValueError("no")) is None


def test_a_write_the_database_refuses_is_classified_on_each_backend(database: Database) -> None:
    """A real refusal from each backend: SQLite with ``query_only``, PostgreSQL in a read-only
    transaction (as on a standby)."""
    postgres = database.engine.dialect.name == "postgresql"
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE refusal_probe (a INTEGER)"))
    with pytest.raises(DBAPIError) as caught, database.engine.begin() as conn:
        conn.execute(text("SET TRANSACTION READ ONLY" if postgres else "PRAGMA query_only = ON"))
        conn.execute(text("INSERT INTO refusal_probe VALUES (1)"))
    expected = StorageProblem.READ_ONLY_DATABASE if postgres else StorageProblem.READ_ONLY
    assert storage_problem(caught.value) is expected
