"""The SQLite write gate: writers queue in the process and wake when the one ahead commits."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from samspill.store.db import make_engine
from samspill.store.sqlite_gate import WriteGate, first_keyword, gated_connection_class


def connect(path: Path, gate: WriteGate) -> sqlite3.Connection:
    connection = sqlite3.connect(
        path, factory=gated_connection_class(gate), check_same_thread=False, timeout=5
    )
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


@pytest.fixture
def gate() -> WriteGate:
    return WriteGate(timeout_s=5)


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
    assert sorted(r[0] for r in first.execute("SELECT x FROM t")) == [1, 2]


def test_readers_never_wait_for_the_gate(path: Path, gate: WriteGate) -> None:
    writer, reader = connect(path, gate), connect(path, gate)
    writer.execute("INSERT INTO t VALUES (1)")
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
    end(connection)
    other = connect(path, gate)
    other.execute("INSERT INTO t VALUES (2)")  # would wait 5 s and fail if the gate were held
    other.commit()


def test_a_failed_write_outside_a_transaction_gives_the_gate_back(
    path: Path, gate: WriteGate
) -> None:
    connection = connect(path, gate)
    with pytest.raises(sqlite3.OperationalError):
        connection.execute("INSERT INTO no_such_table VALUES (1)")
    connection.execute("CREATE TABLE u (y INTEGER)")  # DDL runs on its own and lets go
    other = connect(path, gate)
    other.execute("INSERT INTO t VALUES (3)")
    other.commit()


def test_a_writer_that_waits_too_long_gets_sqlites_own_words(path: Path) -> None:
    gate = WriteGate(timeout_s=0.2)
    holder, waiter = connect(path, gate), connect(path, gate)
    holder.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        waiter.execute("INSERT INTO t VALUES (2)")
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
