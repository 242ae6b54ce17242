"""SQLite writers take turns at the engine's gate and retry in Python, never in SQLite's C busy handler
(``core/sqlite_gate.py``). Threads stand in for greenlets here; the real gevent server is exercised by
``tests/realtime/test_fresh_process_burst.py``."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from community.core import sqlite_gate


def gated_pair(path: Path, busy_seconds: float = 2.0) -> tuple[sqlite3.Connection, sqlite3.Connection]:
    factory = sqlite_gate.connection_class(busy_seconds)
    first, second = (sqlite3.connect(path, factory=factory, check_same_thread=False) for _ in range(2))
    for connection in (first, second):
        sqlite_gate.connect_pragmas(connection, busy_seconds)
    return first, second


@pytest.fixture(autouse=True)
def as_under_gevent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Busy timeout 0, as in the gevent worker: any waiting these tests see is the gate's or the retries'."""
    monkeypatch.setattr(sqlite_gate, "cooperative", lambda: True)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "gate.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    return path


def test_a_second_writer_waits_for_the_first_to_commit_and_then_writes(database: Path) -> None:
    first, second = gated_pair(database)
    first.execute("SELECT count(*) FROM notes").fetchall()  # a read opens no transaction
    assert not first.in_transaction
    first.execute("INSERT INTO notes (body) VALUES ('first')")
    assert first.in_transaction
    done = threading.Event()

    def write_second() -> None:
        second.execute("INSERT INTO notes (body) VALUES ('second')")
        second.commit()
        done.set()

    writer = threading.Thread(target=write_second)
    writer.start()
    assert not done.wait(0.3), "the second writer went ahead while the first still held the write lock"
    first.commit()
    writer.join(5)
    assert done.is_set()
    assert [body for (body,) in first.execute("SELECT body FROM notes ORDER BY id")] == ["first", "second"]


def test_a_writer_that_never_gets_its_turn_fails_as_locked_after_the_busy_time(database: Path) -> None:
    first, second = gated_pair(database, busy_seconds=0.3)
    first.execute("INSERT INTO notes (body) VALUES ('held')")
    started = time.monotonic()
    failure: list[BaseException] = []

    def write_second() -> None:
        try:
            second.execute("INSERT INTO notes (body) VALUES ('too late')")
        except sqlite3.OperationalError as error:
            failure.append(error)

    writer = threading.Thread(target=write_second)
    writer.start()
    writer.join(5)
    assert failure and "locked" in str(failure[0])
    assert 0.25 < time.monotonic() - started < 2
    first.rollback()  # the gate opens again: the next writer gets in at once
    second.execute("INSERT INTO notes (body) VALUES ('now')")
    second.commit()
    assert first.execute("SELECT body FROM notes").fetchall() == [("now",)]


def test_a_writer_outside_this_process_is_waited_for_with_retries_not_inside_sqlite(database: Path) -> None:
    gated, _ = gated_pair(database)
    assert gated.execute("PRAGMA busy_timeout").fetchone() == (0,), "SQLite itself must never sleep"
    outside = sqlite3.connect(database, isolation_level=None, check_same_thread=False)  # another process's
    outside.execute("BEGIN IMMEDIATE")
    threading.Timer(0.2, outside.execute, ["COMMIT"]).start()
    started = time.monotonic()
    gated.execute("INSERT INTO notes (body) VALUES ('after the other process')")
    gated.commit()
    assert 0.15 < time.monotonic() - started < 2


def test_the_gate_opens_again_when_a_transaction_ends_by_rollback_or_close(database: Path) -> None:
    first, second = gated_pair(database, busy_seconds=0.5)
    first.execute("UPDATE notes SET body = 'x'")
    first.rollback()
    second.execute("DELETE FROM notes")
    second.close()  # closed mid-transaction: SQLite rolls it back, the gate opens
    first.execute("INSERT INTO notes (body) VALUES ('still writable')")
    first.commit()
    assert first.execute("SELECT count(*) FROM notes").fetchone() == (1,)
