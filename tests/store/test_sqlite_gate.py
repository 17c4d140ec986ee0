"""The SQLite write gate: writers queue in the process and wake when the one ahead commits."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from samspill.store.db import make_engine
from samspill.store.sqlite_gate import WriteGate, first_keyword, gated_connection_class, writes


def connect(path: Path, gate: WriteGate) -> sqlite3.Connection:
    connection = sqlite3.connect(
        path, factory=gated_connection_class(gate), check_same_thread=False, timeout=5
    )
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


@pytest.fixture
def gate() -> WriteGate:
    return WriteGate(timeout_s=5)


def held(gate: WriteGate) -> bool:
    """Whether some connection holds the gate (probed without waiting)."""
    if gate._lock.acquire(blocking=False):
        gate._lock.release()
        return False
    return True


@pytest.fixture
def path(tmp_path: Path, gate: WriteGate) -> Path:
    file = tmp_path / "gate.db"
    with connect(file, gate) as setup:
        setup.execute("CREATE TABLE t (x INTEGER)")
    return file


@pytest.mark.parametrize(
    ("sql", "keyword"),
    [
        ("INSERT INTO t VALUES (1)", "INSERT"),
        ("  \n update t set x = 2", "UPDATE"),
        ("-- a note\nDELETE FROM t", "DELETE"),
        ("/* a note */ replace into t values (1)", "REPLACE"),
        ("SELECT 1", "SELECT"),
        ("", ""),
        ("-- only a comment", ""),
    ],
)
def test_first_keyword_skips_blanks_and_comments(sql: str, keyword: str) -> None:
    assert first_keyword(sql) == keyword


def test_a_second_writer_waits_for_the_first_to_commit(path: Path, gate: WriteGate) -> None:
    first, second = connect(path, gate), connect(path, gate)
    first.execute("INSERT INTO t VALUES (1)")  # first holds the gate until it commits
    assert held(gate) and first.holds_gate
    order: list[str] = []

    def write_second() -> None:
        second.execute("INSERT INTO t VALUES (2)")
        order.append("second wrote")
        second.commit()

    writer = threading.Thread(target=write_second)
    writer.start()
    time.sleep(0.2)
    order.append("first commits")
    first.commit()
    writer.join(timeout=5)
    assert order == ["first commits", "second wrote"]
    assert not held(gate)
    assert sorted(r[0] for r in first.execute("SELECT x FROM t")) == [1, 2]


def test_readers_never_wait_for_the_gate(path: Path, gate: WriteGate) -> None:
    writer, reader = connect(path, gate), connect(path, gate)
    writer.execute("INSERT INTO t VALUES (1)")
    assert held(gate)
    started = time.perf_counter()
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (0,)  # WAL: the old snapshot
    assert time.perf_counter() - started < 1
    writer.rollback()


@pytest.mark.parametrize(
    "end",
    [
        lambda c: c.rollback(),
        lambda c: c.commit(),
        lambda c: c.close(),
    ],
)
def test_every_end_of_a_transaction_gives_the_gate_back(path: Path, gate: WriteGate, end) -> None:
    connection = connect(path, gate)
    connection.execute("INSERT INTO t VALUES (1)")
    assert held(gate)
    end(connection)
    assert not held(gate)
    other = connect(path, gate)
    other.execute("INSERT INTO t VALUES (2)")  # would wait 5 s and fail if the gate were held
    other.commit()


def test_a_failed_write_outside_a_transaction_gives_the_gate_back(
    path: Path, gate: WriteGate
) -> None:
    connection = connect(path, gate)
    with pytest.raises(sqlite3.OperationalError):
        connection.execute("INSERT INTO no_such_table VALUES (1)")
    assert not held(gate)
    connection.execute("CREATE TABLE u (y INTEGER)")  # DDL runs on its own and lets go
    assert not held(gate)
    other = connect(path, gate)
    other.execute("INSERT INTO t VALUES (3)")
    other.commit()


def test_a_writer_that_waits_too_long_gets_sqlites_own_words(path: Path) -> None:
    gate = WriteGate(timeout_s=0.2)
    holder, waiter = connect(path, gate), connect(path, gate)
    holder.execute("INSERT INTO t VALUES (1)")
    started = time.perf_counter()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        waiter.execute("INSERT INTO t VALUES (2)")
    assert time.perf_counter() - started < 3  # the gate's timeout, not SQLite's 5 s
    holder.commit()
    waiter.execute("INSERT INTO t VALUES (2)")
    waiter.commit()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "file"])
def test_sqlite_engines_use_the_gate_and_in_memory_ones_open(url: str, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'e.db'}" if url == "file" else url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert type(connection.connection.dbapi_connection).__name__ == "GatedConnection"
    if url == "file":  # no cap: a worker never waits for a connection (see store/db.py)
        assert engine.pool._max_overflow == -1
    engine.dispose()


@pytest.mark.parametrize(
    "write",
    [
        lambda c: c.execute("INSERT INTO t VALUES (1)"),
        lambda c: c.cursor().execute("INSERT INTO t VALUES (1)"),
        lambda c: c.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)]),
        lambda c: c.execute("WITH v(x) AS (SELECT 5) INSERT INTO t SELECT x FROM v"),
    ],
)
def test_every_way_to_write_takes_the_gate(path: Path, gate: WriteGate, write) -> None:
    connection = connect(path, gate)
    write(connection)
    # Held while the transaction is open; a WITH ... INSERT runs on its own (pysqlite opens no
    # transaction for it), so it held the gate for that statement only.
    assert held(gate) == connection.holds_gate == connection.in_transaction
    connection.commit()
    assert not held(gate)
    assert connection.execute("SELECT count(*) FROM t").fetchone()[0] >= 1


def test_a_with_clause_that_writes_counts_as_a_write() -> None:
    assert writes("WITH v(x) AS (SELECT 5) INSERT INTO t SELECT x FROM v")
    assert not writes("WITH v(x) AS (SELECT 5) SELECT x FROM v")


def test_a_with_block_and_a_script_give_the_gate_back(path: Path, gate: WriteGate) -> None:
    connection = connect(path, gate)
    with connection:
        connection.execute("INSERT INTO t VALUES (1)")
        assert held(gate)
    assert not held(gate)
    connection.executescript("INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);")
    assert not held(gate)
    assert connection.execute("SELECT count(*) FROM t").fetchone() == (3,)


def test_a_connection_dropped_without_closing_gives_the_gate_back(
    path: Path, gate: WriteGate
) -> None:
    connection = connect(path, gate)
    connection.execute("INSERT INTO t VALUES (1)")
    assert held(gate)
    del connection
    gc.collect()
    assert not held(gate)
