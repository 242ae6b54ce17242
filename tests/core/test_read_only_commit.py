"""On PostgreSQL a request whose transaction only read ends with COMMIT, so psycopg keeps its prepared statements
(it forgets them all on ROLLBACK); everything else still rolls back, and nothing unsaved is ever saved.

Routes made for these tests are added to a fresh app before its first request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from community.auth.models import User
from community.extensions import db
from tests.conftest import _fresh_schema, build_app
from tests.factories import make_user, sign_in


@pytest.fixture
def pg_app(postgres_url: str) -> Iterator[Flask]:
    """PostgreSQL, with one member: "reader", shown as "Reader"."""
    for app in _fresh_schema(build_app(postgres_url)):
        with app.app_context():
            make_user("reader", display_name="Reader")
        yield app


def _reader(app: Flask) -> FlaskClient:
    """The reader, signed in (after the test added its routes: an app takes none after its first request)."""
    client = app.test_client()
    sign_in(client, "reader")
    return client


def _endings(app: Flask, client, path: str) -> list[str]:
    """The transaction endings (COMMIT/ROLLBACK) the database saw during one GET of ``path``."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {"commit": lambda conn: seen.append("COMMIT"), "rollback": lambda conn: seen.append("ROLLBACK")}
    for name, listener in listeners.items():
        sa.event.listen(engine, name, listener)
    try:
        client.get(path)
    finally:
        for name, listener in listeners.items():
            sa.event.remove(engine, name, listener)
    return seen


def _display_name(app: Flask, username: str) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(User.display_name).where(User.username == username))


def test_a_page_that_only_reads_ends_with_commit_and_its_statements_stay_prepared(pg_app: Flask) -> None:
    seen_prepared: list[int] = []

    @pg_app.get("/_test/prepared")
    def prepared() -> str:
        count = db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
        seen_prepared.append(int(count))
        return "ok"

    client = _reader(pg_app)
    assert _endings(pg_app, client, "/account/content-warnings")[-1] == "COMMIT"
    for _ in range(8):
        client.get("/account/content-warnings")
        client.get("/_test/prepared")
    assert seen_prepared[-1] > 0, "psycopg prepared nothing: every request threw its statements away"


def test_an_object_changed_but_not_saved_is_rolled_back_not_committed(pg_app: Flask) -> None:

    @pg_app.get("/_test/dirty")
    def dirty() -> str:
        user = db.session.scalar(sa.select(User).where(User.username == "reader"))
        user.display_name = "Changed only for showing"
        return user.display_name

    client = _reader(pg_app)
    assert _endings(pg_app, client, "/_test/dirty")[-1] == "ROLLBACK"
    assert _display_name(pg_app, "reader") == "Reader"


def test_a_statement_that_wrote_without_a_commit_is_rolled_back(pg_app: Flask) -> None:

    @pg_app.get("/_test/wrote")
    def wrote() -> str:
        db.session.execute(sa.update(User).where(User.username == "reader").values(display_name="Written"))
        return "ok"

    client = _reader(pg_app)
    assert _endings(pg_app, client, "/_test/wrote")[-1] == "ROLLBACK"
    assert _display_name(pg_app, "reader") == "Reader"


def test_a_request_that_failed_is_rolled_back(pg_app: Flask) -> None:
    """The error handler rolls the failed work back; the error page it then shows only reads (and may commit)."""

    @pg_app.get("/_test/fails")
    def fails() -> str:
        db.session.execute(sa.update(User).where(User.username == "reader").values(display_name="Half done"))
        raise RuntimeError("something broke after writing")

    client = _reader(pg_app)
    assert client.get("/_test/fails").status_code == 500
    assert _endings(pg_app, client, "/_test/fails")[0] == "ROLLBACK"
    assert _display_name(pg_app, "reader") == "Reader"


def test_reads_after_a_commit_in_the_same_request_end_with_commit(pg_app: Flask) -> None:

    @pg_app.get("/_test/write-then-read")
    def write_then_read() -> str:
        db.session.execute(sa.update(User).where(User.username == "reader").values(display_name="Saved"))
        db.session.commit()
        return str(db.session.scalar(sa.select(User.display_name).where(User.username == "reader")))

    client = _reader(pg_app)
    assert _endings(pg_app, client, "/_test/write-then-read") == ["COMMIT", "COMMIT"]
    assert _display_name(pg_app, "reader") == "Saved"


def test_prepared_statements_can_be_turned_off_for_a_pooler(postgres_url: str) -> None:
    app = build_app(postgres_url, DATABASE_PREPARED_STATEMENTS=False)
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            assert connection.driver_connection.prepare_threshold is None
        finally:
            connection.close()
        db.engine.dispose()


def test_what_was_loaded_stays_readable_after_the_context_ends(pg_app: Flask) -> None:
    """The COMMIT does not expire what the session loaded: the close that follows keeps it readable, as before."""
    with pg_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "reader"))
    assert user.display_name == "Reader"
