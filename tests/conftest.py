"""Shared fixtures.

Databases: ``app`` runs on a fresh in-memory SQLite database. Tests where storage matters take ``db_app``,
parametrised over SQLite and PostgreSQL (TEST_DATABASE_URL). Each PostgreSQL test session gets its own
database, created here and dropped afterwards, so parallel runs never share rows.

Each test still starts on an empty database with every table, but the tables are built once per test process
(``create_all`` of ~70 tables costs about 0.05 s on SQLite and, with ``drop_all``, 0.8 s on PostgreSQL): an
in-memory SQLite database is a copy of a template built once (the sqlite3 backup API copies every page: tables,
indexes, triggers, the FTS5 search table); on PostgreSQL the session's tables are created once and, after each
test, every row is deleted and every sequence restarted, so ids start at 1 again.

Missing services: a test that needs PostgreSQL, Redis or Chromium skips locally when the service is absent,
but FAILS when CI=true, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import community.models  # noqa: F401  (every table mapped, for tests that build model objects without an app)
from community import create_app
from community.extensions import db
from config import TestingConfig

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


# Under pytest-xdist (`make test`), tests are dealt out to the workers one by one, except these modules: each runs
# whole on one worker, so its module-scoped fixtures (a server of its own, the axe crawl and its once-per-page
# mode passes, the catalogue extraction) are built once. xdist's own xdist_group marker cannot do this with
# pytest 9.2: it renames the test through an attribute that pytest no longer reads.
ONE_WORKER_MODULES = {
    "tests/browser/test_accessibility_pages.py",
    "tests/browser/test_insight_browser.py",
    "tests/i18n/test_catalogues.py",
    "tests/realtime/test_fresh_process_burst.py",
    "tests/realtime/test_real_server.py",
    "tests/realtime/test_two_processes.py",
    "tests/realtime/test_two_processes_access.py",
    "tests/test_serve.py",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getvalue("dist") != "load":  # another --dist was asked for: xdist's own
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneByOneExceptSomeModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return OneByOneExceptSomeModules(config, log)


def require_service(name: str, available: bool, how: str) -> None:
    """Skip locally, fail in CI: a missing service must never turn CI green."""
    if available:
        return
    message = f"{name} is not available ({how})"
    if IN_CI:
        pytest.fail(f"{message}; CI=true, so this fails instead of skipping")
    pytest.skip(message)


def make_config(**overrides: object) -> TestingConfig:
    config = TestingConfig()
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def build_app(database_url: str = "sqlite://", **overrides: object) -> Flask:
    return create_app(make_config(SQLALCHEMY_DATABASE_URI=database_url, **overrides))


@contextmanager
def temporary_postgres_database(prefix: str = "kring_test") -> Iterator[str]:
    """A new, empty PostgreSQL database on the TEST_DATABASE_URL server, dropped afterwards."""
    require_service("PostgreSQL", bool(TEST_DATABASE_URL), "set TEST_DATABASE_URL")
    admin_engine = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin_engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            # A throw-away database need not wait for the disk at each commit (4-5 ms each on this machine);
            # a crash of PostgreSQL itself could lose the last commits, never corrupt the database.
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    except sa.exc.OperationalError as error:
        admin_engine.dispose()
        require_service("PostgreSQL", False, f"cannot connect: {type(error).__name__}")
    try:
        yield sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session (tests share its tables, emptied before each)."""
    with temporary_postgres_database() as url:
        yield url


_SQLITE_TEMPLATE: list[sqlite3.Connection] = []  # the empty schema, built once per process
_POSTGRES_READY: dict[str, str] = {}  # database URL -> the statement that empties it again


def _sqlite_template() -> sqlite3.Connection:
    if not _SQLITE_TEMPLATE:
        app = build_app()
        with app.app_context():
            db.create_all()
            template = sqlite3.connect(":memory:", check_same_thread=False)
            raw = db.engine.raw_connection()
            try:
                raw.driver_connection.backup(template)
            finally:
                raw.close()
            db.engine.dispose()
        _SQLITE_TEMPLATE.append(template)
    return _SQLITE_TEMPLATE[0]


def _emptying_statement() -> str:
    """Delete every row (children before parents) and restart every sequence. DELETE, not TRUNCATE: on tables
    holding a test's few rows it is about twenty times faster."""
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
    with db.engine.connect() as connection:
        sequences = connection.exec_driver_sql(
            "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = current_schema()"
        ).scalars()
        restarts = [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
    return ";\n".join(deletes + restarts)


def _empty_postgres_database() -> None:
    """Every table, no row. Done before each test rather than after, so a test whose clean-up never ran (or that
    dropped tables itself) cannot leave anything behind for the next one."""
    key = db.engine.url.render_as_string(hide_password=False)
    statement = _POSTGRES_READY.get(key)
    if statement is not None:
        try:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(statement)
            return
        except sa.exc.DBAPIError:  # a table is missing or changed: build them all again
            db.drop_all()
    db.create_all()
    _POSTGRES_READY[key] = _emptying_statement()


def _is_sqlite_in_memory(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _fresh_schema(app: Flask) -> Iterator[Flask]:
    """The app on an empty database with every table (the module's docstring says how that is kept cheap)."""
    with app.app_context():
        url = db.engine.url
        if _is_sqlite_in_memory(url):
            raw = db.engine.raw_connection()  # in-memory SQLite has exactly one connection (StaticPool)
            try:
                _sqlite_template().backup(raw.driver_connection)
            finally:
                raw.close()
        elif url.get_backend_name() == "postgresql":
            _empty_postgres_database()
        else:
            db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            if not (_is_sqlite_in_memory(url) or url.get_backend_name() == "postgresql"):
                db.drop_all()  # a SQLite file; the in-memory database goes with its connection
            db.engine.dispose()


@pytest.fixture
def app() -> Iterator[Flask]:
    yield from _fresh_schema(build_app())


@pytest.fixture(params=["sqlite", "postgresql"])
def db_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app on each database in turn, for tests where storage matters."""
    url = "sqlite://" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    yield from _fresh_schema(build_app(url))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", bool(TEST_REDIS_URL), "set TEST_REDIS_URL")
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        require_service("Redis", False, f"cannot connect: {type(error).__name__}")
    return TEST_REDIS_URL


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require_service("Chromium", os.path.exists(path), "apt-get install -y chromium")
    return path
