"""Storage errors classified: which problem of the server's storage an exception reports (a
full disk, a read-only data folder, a database that cannot be opened, stays busy or cannot be
reached), from SQLite's result codes or messages, PostgreSQL's SQLSTATE and the operating
system's errno. The web's edge handler says it plainly (503) instead of "something went
wrong", so the coding screen's outbox keeps the work and sends it again (issue 7).
"""

from __future__ import annotations

import errno
import sqlite3
from enum import StrEnum

from sqlalchemy.exc import DBAPIError

from samspill.core.errors import N_, StorageError


class StorageProblem(StrEnum):
    """What is wrong with the storage, in the words the user reads."""

    # Marked for the catalogs: the web says the problem in the reader's language.
    DISK_FULL = N_("the server's disk is full")
    QUOTA = N_("the server's disk quota is used up")
    READ_ONLY = N_("the server's data folder is read-only")
    NOT_ALLOWED = N_("the server may not write to its data folder")
    CANNOT_OPEN = N_("the server cannot open its database")
    IO_FAILED = N_("the server's disk failed to write")
    BUSY = N_("the database stayed busy with other writes for too long")
    READ_ONLY_DATABASE = N_("the server's database is read-only")
    UNREACHABLE = N_("the server cannot reach its database")


OS_ERRORS = {
    errno.ENOSPC: StorageProblem.DISK_FULL,
    errno.EROFS: StorageProblem.READ_ONLY,
    errno.EACCES: StorageProblem.NOT_ALLOWED,
    errno.EDQUOT: StorageProblem.QUOTA,
}
# SQLite's primary result codes (https://sqlite.org/rescode.html); extended codes carry the
# primary one in their low byte.
SQLITE_CODES = {
    5: StorageProblem.BUSY,  # SQLITE_BUSY: "database is locked"
    8: StorageProblem.READ_ONLY,  # SQLITE_READONLY
    10: StorageProblem.IO_FAILED,  # SQLITE_IOERR
    13: StorageProblem.DISK_FULL,  # SQLITE_FULL
    14: StorageProblem.CANNOT_OPEN,  # SQLITE_CANTOPEN
}
# The same by message, for errors that carry no code (raised by hand, or through a wrapper).
SQLITE_MESSAGES = {
    "database or disk is full": StorageProblem.DISK_FULL,
    "readonly database": StorageProblem.READ_ONLY,
    "unable to open database": StorageProblem.CANNOT_OPEN,
    "disk i/o error": StorageProblem.IO_FAILED,
    "database is locked": StorageProblem.BUSY,
}
# PostgreSQL's SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html).
POSTGRES_STATES = {
    "53100": StorageProblem.DISK_FULL,  # disk_full
    "58030": StorageProblem.IO_FAILED,  # io_error
    "25006": StorageProblem.READ_ONLY_DATABASE,  # read_only_sql_transaction (a standby)
    "55P03": StorageProblem.BUSY,  # lock_not_available (lock_timeout)
    "40P01": StorageProblem.BUSY,  # deadlock_detected
    "53300": StorageProblem.UNREACHABLE,  # too_many_connections
    "57P01": StorageProblem.UNREACHABLE,  # admin_shutdown
    "57P02": StorageProblem.UNREACHABLE,  # crash_shutdown
    "57P03": StorageProblem.UNREACHABLE,  # cannot_connect_now
}
POSTGRES_CLASSES = {"08": StorageProblem.UNREACHABLE}  # connection_exception and its kin


def storage_problem(exc: BaseException) -> StorageProblem | None:
    """What is wrong with the storage, if ``exc`` (or what caused it) says so; else None.
    Other errors, a ValueError that happens to say "disk is full" among them, are no storage
    problem."""
    seen: BaseException | None = exc
    while seen is not None:
        found = _problem_of(seen)
        if found is not None:
            return found
        seen = seen.__cause__ or seen.__context__ or _driver_error(seen)
    return None


def storage_error(exc: BaseException) -> StorageError | None:
    """The error family's StorageError for ``exc``, or None when it is no storage problem."""
    problem = storage_problem(exc)
    if problem is None:
        return None
    return StorageError(
        N_("{problem}; nothing was saved"),
        fix=N_("tell the administrator; your unsaved work is kept and sent again"),
        params={"problem": problem.value},
    )


def _problem_of(error: BaseException) -> StorageProblem | None:
    if isinstance(error, OSError):
        return OS_ERRORS.get(error.errno or 0)
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in SQLITE_CODES:
            return SQLITE_CODES[code & 0xFF]
    state = _sqlstate(error)
    if state:
        return POSTGRES_STATES.get(state) or POSTGRES_CLASSES.get(state[:2])
    if isinstance(error, DBAPIError | sqlite3.Error):
        text = str(error).lower()
        for needle, problem in SQLITE_MESSAGES.items():
            if needle in text:
                return problem
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return StorageProblem.UNREACHABLE
    return None


def _sqlstate(error: BaseException) -> str | None:
    """A PostgreSQL driver error's SQLSTATE: psycopg 3's ``sqlstate``, psycopg 2's ``pgcode``."""
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) else None


def _driver_error(error: BaseException) -> BaseException | None:
    """The driver's own error inside SQLAlchemy's wrapper (``orig``), when not chained."""
    orig = getattr(error, "orig", None) if isinstance(error, DBAPIError) else None
    return orig if isinstance(orig, BaseException) else None
