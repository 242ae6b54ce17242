"""Engine settings per database: SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from community.extensions import db


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


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
