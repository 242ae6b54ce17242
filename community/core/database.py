"""Engine settings per database: SQLite gets WAL, foreign keys, and writers that take turns without blocking
gevent's loop (``core/sqlite_gate.py``); PostgreSQL keeps its prepared statements across requests (read-only
transactions end with COMMIT) and tests idle connections."""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from community.core import sqlite_gate
from community.extensions import db

log = logging.getLogger(__name__)


def engine_options(config: dict[str, Any]) -> None:
    """Before ``db.init_app``: the driver settings that come from Kring's own settings."""
    url = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if url.startswith("sqlite"):
        # One writer gate per engine, made here: in the gunicorn worker, after gevent has patched threading.
        options = config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}), "factory": sqlite_gate.connection_class()}
    if url.startswith("postgresql+psycopg") and not config.get("DATABASE_PREPARED_STATEMENTS", True):
        options = config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        _ping_idle_connections(engine, float(app.config.get("DATABASE_PING_IDLE_SECONDS", 10.0)))
        _commit_read_only_transactions(app, engine)


WROTE = "kring_wrote"  # in a connection's info: this transaction sent something other than a SELECT


def _commit_read_only_transactions(app: Flask, engine: Engine) -> None:
    """End a request whose transaction only read with COMMIT instead of ROLLBACK.

    psycopg prepares a statement on the server once a connection has run it five times, so PostgreSQL stops
    planning it anew (planning the topic page's statements took five times as long as running them). But
    psycopg forgets every prepared statement on ROLLBACK (a rolled-back transaction may have dropped what they
    refer to), and Flask-SQLAlchemy rolls back at the end of every request: nothing ever stayed prepared. For
    a transaction that ran only SELECTs, COMMIT and ROLLBACK do the same, so those end with COMMIT.

    Anything else still rolls back: an exception, objects added or changed in the session but not written
    (a page that changed an object only for showing it must never save it), or any statement other than a
    SELECT since the transaction began (noted per connection below).
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            conn.info[WROTE] = True

    @event.listens_for(engine, "commit")
    def _reset_after_commit(conn: Any) -> None:
        conn.info.pop(WROTE, None)

    @event.listens_for(engine, "rollback")
    def _reset_after_rollback(conn: Any) -> None:
        conn.info.pop(WROTE, None)

    # Registered after db.init_app: Flask runs teardown functions last-registered first, so this runs before
    # Flask-SQLAlchemy's own (which closes the session, rolling back whatever is left).
    @app.teardown_appcontext
    def _commit_if_only_read(error: BaseException | None) -> None:
        if error is not None:
            return
        session = db.session()
        if not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        try:
            if session.connection().info.get(WROTE):
                return
            # Without expiring: the session is closed next, and what was loaded stays readable after it (as
            # with the close alone), e.g. for code that used an app context and reads its objects afterwards.
            session.expire_on_commit, expire = False, session.expire_on_commit
            try:
                session.commit()
            finally:
                session.expire_on_commit = expire
        except Exception:  # a broken connection: the rollback that follows cleans up
            log.warning("could not end a read-only transaction with COMMIT", exc_info=True)


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


def _sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    sqlite_gate.connect_pragmas(dbapi_connection)


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
