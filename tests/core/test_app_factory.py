"""The factory builds an app for every configuration, and production fails closed."""

from __future__ import annotations

import pytest

import config as kring_config
from community import create_app
from community.core.security import public
from config import DevelopmentConfig, ProductionConfig, config_from_env

TWO_FACTOR_KEY = "cHJvZHVjdGlvbi10ZXN0LWtleS0zMi1ieXRlcy1vayE="  # a valid Fernet key, for these tests only


def test_testing_config_builds_an_app_that_never_reads_the_operators_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://someone@example.invalid/real")
    app = create_app(kring_config.TestingConfig())
    assert app.config["TESTING"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert app.config["SOCKETIO_ASYNC_MODE"] == "threading"


def test_development_config_uses_sqlite_in_the_instance_folder_and_keeps_a_generated_key(monkeypatch, tmp_path):
    monkeypatch.setenv("KRING_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TWO_FACTOR_KEYS", raising=False)
    first = DevelopmentConfig()
    second = DevelopmentConfig()
    assert first.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'kring.db'}"
    assert len(first.SECRET_KEY) >= 32
    assert first.SECRET_KEY == second.SECRET_KEY, "the generated key must survive a restart"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0, "the key file is private"
    app = create_app(first)
    assert app.config["MAIL_BACKEND"] == "console"
    assert app.config["SOCKETIO_ASYNC_MODE"] == "gevent"


def test_every_setting_can_be_overridden_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KRING_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/other.db")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("BASE_URL", "https://kring.example.org/")
    monkeypatch.setenv("SESSION_IDLE_SECONDS", "600")
    monkeypatch.setenv("STAFF_TWO_FACTOR_REQUIRED", "true")
    monkeypatch.setenv("LANGUAGES", "en,nl")
    config = DevelopmentConfig()
    assert config.SQLALCHEMY_DATABASE_URI == "sqlite:////tmp/other.db"
    assert config.REDIS_URL == "redis://127.0.0.1:6379/3"
    assert config.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/3", "rate limits share Redis when it is set"
    assert config.BASE_URL == "https://kring.example.org"
    assert config.SESSION_IDLE_SECONDS == 600
    assert config.STAFF_TWO_FACTOR_REQUIRED is True
    assert config.LANGUAGES == ["en", "nl"]


@pytest.mark.parametrize("key", [None, "", "dev", "changeme", "short-but-random-9f8a"])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, key):
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()


def test_production_config_with_a_real_key_sets_secure_cookies_and_staff_two_factor(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 20 + "a-long-random-production-key")
    monkeypatch.setenv("TWO_FACTOR_KEYS", TWO_FACTOR_KEY)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    config = ProductionConfig()
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["STAFF_TWO_FACTOR_REQUIRED"] is True
    assert app.config["DEMO_ALLOWED"] is False


def test_config_from_env_rejects_an_unknown_configuration_name(monkeypatch):
    monkeypatch.setenv("KRING_CONFIG", "staging")
    with pytest.raises(RuntimeError, match="KRING_CONFIG"):
        config_from_env()


def test_production_refuses_to_fall_back_to_a_sqlite_file(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("TWO_FACTOR_KEYS", TWO_FACTOR_KEY)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        ProductionConfig()


def test_production_never_allows_the_demo_even_when_the_environment_says_so(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("TWO_FACTOR_KEYS", TWO_FACTOR_KEY)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("DEMO_ALLOWED", "1")
    app = create_app(ProductionConfig())
    from community.extensions import db

    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "production" in result.output


def test_forms_work_over_https_although_browsers_send_no_referer(app):
    """Referrer-Policy: no-referrer means no Referer header; CSRF must not depend on it."""
    from tests.factories import make_user, post_form

    with app.app_context():
        make_user("sam")
    client = app.test_client()
    response = post_form(
        client, "/login", {"login": "sam", "password": "a-long-test-password"}, base_url="https://localhost"
    )
    assert response.status_code == 302


def test_behind_a_trusted_proxy_the_client_address_and_scheme_come_from_forwarded_headers():
    from flask import request

    from tests.conftest import build_app

    app = build_app(TRUSTED_PROXY_COUNT=1)
    seen = {}

    @app.get("/_probe")
    @public
    def probe():
        seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host)
        return "ok"

    app.test_client().get(
        "/_probe",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
    )
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "localhost"}, "X-Forwarded-Host is ignored"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored():
    from flask import request

    from tests.conftest import build_app

    app = build_app()
    seen = {}

    @app.get("/_probe")
    @public
    def probe():
        seen.update(addr=request.remote_addr)
        return "ok"

    app.test_client().get("/_probe", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen["addr"] == "127.0.0.1"
