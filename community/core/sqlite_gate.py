"""SQLite writers take turns in Python, so that waiting for the write lock never blocks gevent's event loop.

SQLite allows one writer at a time. Its own busy handler waits for the lock by sleeping inside the C call, and
under gevent that sleep stops the whole process: the greenlet that holds the lock cannot run to release it,
so every other writer sleeps out its whole busy timeout and fails ("database is locked"), one after the
other, while no socket is served (a burst of ten chat messages held the loop for 45 seconds until gunicorn
killed the worker). A greenlet that holds the write lock *does* yield at times, for instance when a library
starts a helper thread (``limits``' memory storage starts a timer), so this is not hypothetical.

So, for SQLite only (``core/database.py`` wires it in):

* **A gate per engine.** A write transaction first takes the engine's gate, a lock that is gevent's own once
  gevent has patched ``threading``: the next writer of this process waits there, yielding, and the one
  inside goes on to its COMMIT. The gate opens again when the transaction ends (COMMIT, ROLLBACK, close).
* **``BEGIN IMMEDIATE`` where the write starts.** Where ``sqlite3`` would open its own deferred transaction
  (just before the first INSERT/UPDATE/DELETE/REPLACE; its SELECTs run outside one), the connection opens it
  with ``BEGIN IMMEDIATE`` instead, which takes SQLite's write lock at once. Another *process* (a cron job,
  the CLI) may hold it: then the attempt is retried after a short ``time.sleep``, which yields under gevent,
  until ``busy_seconds`` have passed. Once the transaction has the lock nothing in it waits for another
  lock, so the busy timeout of the connection itself can be 0 under gevent (``connect_pragmas``).

Reads never wait: in WAL mode readers do not block the writer, nor it them.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
BUSY_SECONDS = 5.0  # how long a writer waits for its turn before "database is locked", as before
_FIRST_RETRY_SECONDS = 0.001
_LONGEST_RETRY_SECONDS = 0.05
# The statements before which sqlite3 (Python 3.11, its legacy transaction control) opens a transaction.
_COMMENTS = r"\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*"
_OPENS_TRANSACTION = re.compile(_COMMENTS + r"(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.I | re.S)


def cooperative() -> bool:
    """Whether gevent has patched this process (gunicorn's gevent worker): a C-level sleep stops everything."""
    if "gevent.monkey" not in sys.modules:
        return False
    return bool(sys.modules["gevent.monkey"].is_module_patched("threading"))


def _busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)  # the primary code of an extended one
    return "locked" in str(error)


def retry_while_busy(attempt: Callable[[], T], deadline: float) -> T:
    """``attempt()`` until SQLite stops answering "busy" or the deadline passes, sleeping (yielding) between."""
    delay = _FIRST_RETRY_SECONDS
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)  # gevent's sleep once patched: the holder of the lock gets to finish
        delay = min(delay * 2, _LONGEST_RETRY_SECONDS)


def connection_class(busy_seconds: float = BUSY_SECONDS) -> type[sqlite3.Connection]:
    """A ``sqlite3.Connection`` class (for ``sqlite3.connect(factory=...)``) whose connections share one gate.

    Make one class per engine, after gevent has patched the process (the gate must be gevent's lock then)."""
    gate = threading.Lock()  # a plain lock: the transaction may end on another thread than it began on

    class GatedConnection(sqlite3.Connection):
        holds_gate = False

        def cursor(self, factory: type[sqlite3.Cursor] | None = None) -> sqlite3.Cursor:
            return super().cursor(factory or GatedCursor)

        # sqlite3's shortcuts make their cursor in C, past cursor() above.
        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            return self.cursor().execute(sql, parameters)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
            return self.cursor().executemany(sql, seq_of_parameters)

        def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
            return self.cursor().executescript(sql_script)

        def before(self, statement: str) -> None:
            if self.isolation_level is None or self.in_transaction or not _OPENS_TRANSACTION.match(statement):
                return
            deadline = time.monotonic() + busy_seconds
            if not self.holds_gate:
                if not gate.acquire(timeout=busy_seconds):
                    raise sqlite3.OperationalError("database is locked (waited for this process's writer)")
                self.holds_gate = True
            try:
                retry_while_busy(lambda: sqlite3.Cursor(self).execute("BEGIN IMMEDIATE"), deadline)
            except BaseException:
                self.after()
                raise

        def after(self) -> None:
            if self.holds_gate and not self.in_transaction:
                self.holds_gate = False
                gate.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.after()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.after()

        def close(self) -> None:
            try:
                super().close()
            finally:
                if self.holds_gate:
                    self.holds_gate = False
                    gate.release()

    class GatedCursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            connection = self.connection
            connection.before(sql)
            try:
                return super().execute(sql, parameters)
            finally:
                connection.after()  # a failed first statement, or a COMMIT sent as SQL, ends the turn

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
            connection = self.connection
            connection.before(sql)
            try:
                return super().executemany(sql, seq_of_parameters)
            finally:
                connection.after()

        def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
            try:
                return super().executescript(sql_script)  # commits first, then runs outside a transaction
            finally:
                self.connection.after()

    return GatedConnection


def connect_pragmas(dbapi_connection: sqlite3.Connection, busy_seconds: float = BUSY_SECONDS) -> None:
    """The settings of every new connection. Under gevent SQLite itself never sleeps (busy timeout 0): writers
    wait at the gate and in :func:`retry_while_busy`; elsewhere (the CLI, threaded tests) it may."""
    busy_ms = 0 if cooperative() else int(busy_seconds * 1000)
    cursor = sqlite3.Cursor(dbapi_connection)
    try:
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        # WAL lets readers go on while one writer writes (the chat and the forum share one file). Switching a
        # new file to WAL needs the file to itself for a moment: retried like a writer's BEGIN.
        deadline = time.monotonic() + busy_seconds
        retry_while_busy(lambda: cursor.execute("PRAGMA journal_mode=WAL").fetchall(), deadline)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
