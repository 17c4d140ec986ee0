"""One writer at a time on SQLite, queued in the process instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A second writer gets SQLITE_BUSY, and its busy
handler sleeps and retries on a fixed schedule, up to 100 ms a nap. Under load a save then
waits for naps rather than for the writer ahead of it: with 50 coders saving, the slowest
1 % of saves waited 0.3-0.9 s although the database was free most of that time (issue 7).

Here each connection takes a process-wide lock before the statement that opens a writing
transaction, and gives it back when the transaction ends. A waiting writer wakes the moment
the lock is free. Readers never wait (WAL). Other processes (the command line, a second
server) still meet SQLite's own busy handler, as before.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from typing import Any

# The statements that make pysqlite open a transaction, or write outside one (DDL).
WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})


def first_keyword(sql: str) -> str:
    """The statement's first keyword, upper case, skipping blanks and SQL comments."""
    text = sql.lstrip()
    while text.startswith(("--", "/*")):
        end = text.find("\n") if text.startswith("--") else text.find("*/")
        text = "" if end < 0 else text[end + (1 if text.startswith("--") else 2) :].lstrip()
    return text[:7].split(None, 1)[0].upper() if text else ""


def writes(sql: str) -> bool:
    """Whether the statement may write: a write verb first, or a WITH clause ending in one."""
    keyword = first_keyword(sql)
    if keyword == "WITH":
        return _WRITE_WORD.search(sql) is not None
    return keyword in WRITE_VERBS


_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class WriteGate:
    """A process-wide lock for writing transactions on one database file."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self._lock.acquire(timeout=self.timeout_s):
            # The same words as SQLite's own refusal, so the app answers it the same way (503).
            raise sqlite3.OperationalError("database is locked")

    def release(self) -> None:
        self._lock.release()


def gated_connection_class(gate: WriteGate) -> type[sqlite3.Connection]:
    """A sqlite3 connection class (for ``sqlite3.connect(factory=...)``) that uses ``gate``."""

    class GatedConnection(sqlite3.Connection):
        holds_gate = False

        def cursor(self, factory: Any = None) -> sqlite3.Cursor:
            return super().cursor(factory or GatedCursor)

        # The connection's own shortcuts make a plain cursor in C: route them through ours.
        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            return self.cursor().execute(sql, parameters)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
            return self.cursor().executemany(sql, seq_of_parameters)

        def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
            if not self.holds_gate:  # a script may write anywhere in it
                gate.acquire()
                self.holds_gate = True
            try:
                return super().executescript(sql_script)
            finally:
                self.leave()  # the script commits first; kept only if it leaves one open

        def __exit__(self, *exc_info: object) -> bool:
            try:
                return super().__exit__(*exc_info)  # commits or rolls back in C
            finally:
                self.leave()

        def __del__(self) -> None:
            self._release()  # a connection dropped without close() must not keep the gate

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.leave()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.leave()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self._release()  # closing ends any open transaction

        def enter(self, sql: str) -> None:
            """Before a statement: a write that starts a transaction waits for the gate."""
            if not self.holds_gate and writes(sql):
                gate.acquire()
                self.holds_gate = True

        def leave(self) -> None:
            """After a statement or a transaction's end: give the gate back once none is open."""
            if self.holds_gate and not self.in_transaction:
                self._release()

        def _release(self) -> None:
            if self.holds_gate:
                self.holds_gate = False
                gate.release()

    class GatedCursor(sqlite3.Cursor):
        connection: GatedConnection

        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            self.connection.enter(sql)
            try:
                return super().execute(sql, parameters)
            finally:
                self.connection.leave()  # a DDL statement or a failed write held it alone

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
            self.connection.enter(sql)
            try:
                return super().executemany(sql, seq_of_parameters)
            finally:
                self.connection.leave()

    return GatedConnection
