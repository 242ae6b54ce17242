"""A pooled PostgreSQL connection that the server dropped (a restart, a fail-over) costs no failed request:
the pool tests a connection that lay idle before handing it out, and replaces it when it is gone."""

from __future__ import annotations

import sqlalchemy as sa

from community.extensions import db
from tests.conftest import build_app


def _backend_pid(app) -> int:
    with app.app_context():
        return db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def test_an_idle_connection_killed_by_the_server_is_replaced_before_a_request_uses_it(postgres_url):
    app = build_app(postgres_url, DATABASE_PING_IDLE_SECONDS=0.0)
    first_pid = _backend_pid(app)  # the pool now holds this one connection
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            assert connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid}).scalar()
    finally:
        admin.dispose()

    assert app.test_client().get("/healthz").status_code == 200
    assert _backend_pid(app) != first_pid
    with app.app_context():
        db.engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(postgres_url):
    app = build_app(postgres_url, DATABASE_PING_IDLE_SECONDS=60.0)
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        pings = []
        original = db.engine.dialect.do_ping
        db.engine.dialect.do_ping = lambda connection: pings.append(1) or original(connection)
        try:
            for _ in range(5):
                db.session.execute(sa.text("SELECT 1"))
                db.session.remove()
        finally:
            db.engine.dialect.do_ping = original
        db.engine.dispose()
    assert len(pings) == 1, "only the first checkout of a new connection is tested"
    assert statements.count("SELECT 1") == 5
