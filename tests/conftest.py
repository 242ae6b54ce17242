"""Shared fixtures.

Databases: ``app`` runs on a fresh in-memory SQLite database. Tests where storage matters take ``db_app``,
parametrised over SQLite and PostgreSQL (TEST_DATABASE_URL). Each PostgreSQL test session gets its own
database, created here and dropped afterwards, so parallel runs never share rows.

Missing services: a test that needs PostgreSQL, Redis or Chromium skips locally when the service is absent,
but FAILS when CI=true, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from community import create_app
from community.extensions import db
from config import TestingConfig

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


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
    """A throw-away PostgreSQL database for this test session (tests share it; each makes its own tables)."""
    with temporary_postgres_database() as url:
        yield url


def _fresh_schema(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
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
