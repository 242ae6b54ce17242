"""Migrations are reviewed artefacts: the head revision builds exactly the schema the models declare, on
SQLite and on PostgreSQL, and upgrade -> downgrade to base -> upgrade works on both.

Each test gets a database of its own (a file in tmp_path, or a throw-away PostgreSQL database), so tables
other tests create can never hide or fake a difference.
"""

from __future__ import annotations

import logging.config
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from community.extensions import db
from community.forum.search import include_name as search_include_name
from tests.conftest import build_app, temporary_postgres_database

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture(autouse=True)
def keep_logging_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """migrations/env.py calls logging.config.fileConfig(alembic.ini), which disables every logger that
    already exists and replaces the root handlers: later tests that capture the app's logs would then see
    nothing. Run the migrations in-process without it (test_serve.py runs the real CLI, config and all)."""
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'migrations.db'}"


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database for one test, dropped afterwards (not the shared session database)."""
    with temporary_postgres_database("kring_migr") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app bound to an empty database of each kind; no create_all: only the migrations build tables."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "fresh_postgres_url")
    app = build_app(url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def schema_diff(app: Flask) -> list:
    """What autogenerate would write for this database: empty when migrations and models agree."""
    with app.app_context(), db.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": search_include_name}
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, db.metadata)


def current_revision(app: Flask) -> str | None:
    with app.app_context(), db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def table_names(app: Flask) -> set[str]:
    with app.app_context(), db.engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def app_tables() -> set[str]:
    return set(db.metadata.tables)


def test_head_matches_models(empty_db_app: Flask) -> None:
    heads = ScriptDirectory(MIGRATIONS_DIR).get_heads()
    assert len(heads) == 1, f"the migrations have {len(heads)} heads {heads}: merge them into one"
    with empty_db_app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
    assert current_revision(empty_db_app) == heads[0]
    diff = schema_diff(empty_db_app)
    assert diff == [], f"migrations at head differ from the models:\n{pformat(diff)}"
    assert app_tables() <= table_names(empty_db_app)


def test_upgrade_downgrade_upgrade(empty_db_app: Flask) -> None:
    with empty_db_app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
    assert app_tables() <= table_names(empty_db_app)

    with empty_db_app.app_context():
        downgrade(directory=MIGRATIONS_DIR, revision="base")
    left = table_names(empty_db_app)
    assert current_revision(empty_db_app) is None
    assert left <= {"alembic_version"}, f"tables left after downgrade to base: {sorted(left - {'alembic_version'})}"

    with empty_db_app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
    diff = schema_diff(empty_db_app)
    assert diff == [], f"schema after upgrade -> downgrade -> upgrade differs from the models:\n{pformat(diff)}"
