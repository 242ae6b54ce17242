"""Engine settings per database: SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from community.extensions import db


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        _ping_idle_connections(engine, float(app.config.get("DATABASE_PING_IDLE_SECONDS", 10.0)))


def _ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled connection before use only when it lay idle: after a database restart the stale ones
    are dropped and replaced (the pool retries the checkout), while a busy server pays no extra round trip.

    SQLAlchemy's ``pool_pre_ping`` tests on every checkout, which on a page of nine short statements was one
    round trip in ten. A connection that breaks while in use fails its request either way; SQLAlchemy then
    invalidates the pool.
    """

    @event.listens_for(engine, "checkin")
    def _note_idle_since(_dbapi_connection: Any, connection_record: Any) -> None:
        connection_record.info["kring_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, connection_record: Any, _proxy: Any) -> None:
        idle_since = connection_record.info.get("kring_idle_since")
        if idle_since is not None and time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"stale pooled connection: {error}") from error


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes (the chat and the forum share one file).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def database_answers(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except Exception:  # noqa: BLE001  (any failure means "not answering"; /healthz says 503)
        return False


def savepoints_work() -> bool:
    """pysqlite (before Python 3.12) opens no transaction before a SAVEPOINT, so its RELEASE would commit
    everything done so far. On SQLite (one writer at a time, the single-process setup) we use none."""
    return db.session.get_bind().dialect.name != "sqlite"


def savepoint() -> AbstractContextManager:
    """A savepoint where savepoints work; elsewhere nothing (a constraint error then fails the whole request,
    which on SQLite's single writer cannot race anyway)."""
    return db.session.begin_nested() if savepoints_work() else nullcontext()
