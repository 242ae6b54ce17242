"""Two-step sign-in secrets are encrypted at rest (Fernet, TWO_FACTOR_KEYS): a copy of the database does not reveal
anyone's codes, keys rotate without signing anyone out, a key problem is a clear message (and recovery codes
still work), production refuses to start without a key, and the migration leaves no plain secret behind."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from flask_migrate import downgrade, upgrade

from community.core.audit import AuditEntry
from community.extensions import db
from config import TESTING_TWO_FACTOR_KEY, DevelopmentConfig, ProductionConfig
from tests.auth.test_two_factor import CHALLENGE, FakeClock, enrolled_member, password_step, signed_in
from tests.conftest import build_app, temporary_postgres_database
from tests.factories import PASSWORD, make_user, post_form

MIGRATIONS_DIR = str(Path(__file__).resolve().parents[2] / "migrations")
MIGRATION = "ee1594933008"  # two_factor_secrets_encrypted
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    from community.auth import two_factor

    fake = FakeClock()
    monkeypatch.setattr(two_factor, "clock", fake)
    return fake


def stored_rows(app: Flask) -> list[dict]:
    """Every column of every row, as a raw SELECT (a database dump) sees it."""
    with app.app_context():
        return [dict(row) for row in db.session.execute(sa.text("SELECT * FROM two_factor_settings")).mappings()]


def rotate(app: Flask):
    return app.test_cli_runner().invoke(args=["auth", "rotate-two-factor-keys"])


# --- at rest ----------------------------------------------------------------------------------------------------


def test_the_database_never_holds_the_plain_secret_only_a_token_the_key_opens(db_app, clock):
    secret, _codes = enrolled_member(db_app, clock)

    [row] = stored_rows(db_app)
    assert "secret" not in row, "no plain column is left"
    assert not any(secret in str(value) or secret.lower() in str(value).lower() for value in row.values())
    assert Fernet(TESTING_TWO_FACTOR_KEY).decrypt(row["secret_encrypted"].encode()).decode() == secret
    with pytest.raises(InvalidToken):
        Fernet(NEW_KEY).decrypt(row["secret_encrypted"].encode())


def test_two_step_sign_in_works_with_the_encrypted_secret(db_app, clock):
    secret, _codes = enrolled_member(db_app, clock)
    client = password_step(db_app)
    response = post_form(client, CHALLENGE, {"code": clock.code(secret)})
    assert response.status_code == 302 and signed_in(client)


# --- rotation ---------------------------------------------------------------------------------------------------


def test_an_old_key_second_in_the_list_still_opens_secrets_and_rotation_moves_them_to_the_new_key(db_app, clock):
    secret, _codes = enrolled_member(db_app, clock)
    db_app.config["TWO_FACTOR_KEYS"] = [NEW_KEY, TESTING_TWO_FACTOR_KEY]  # step 1: the new key goes first

    assert post_form(password_step(db_app), CHALLENGE, {"code": clock.code(secret)}).status_code == 302
    clock.tick()

    result = rotate(db_app)  # step 2
    assert result.exit_code == 0 and "Re-encrypted 1 two-step sign-in secret(s)" in result.output, result.output
    [row] = stored_rows(db_app)
    assert Fernet(NEW_KEY).decrypt(row["secret_encrypted"].encode()).decode() == secret

    db_app.config["TWO_FACTOR_KEYS"] = [NEW_KEY]  # step 3: the old key is dropped
    client = password_step(db_app)
    assert post_form(client, CHALLENGE, {"code": clock.code(secret)}).status_code == 302 and signed_in(client)
    with db_app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="two_factor.keys_rotated"))
        assert entry.actor_id is None and entry.details == {"rotated": 1, "unreadable": 0, "keys": 2}


def test_rotation_leaves_a_secret_no_key_opens_untouched_and_says_so(app, clock):
    enrolled_member(app, clock)
    before = stored_rows(app)
    app.config["TWO_FACTOR_KEYS"] = [NEW_KEY]  # the old key was dropped before rotating

    result = rotate(app)

    assert result.exit_code == 1
    assert "1 secret(s) could not be decrypted" in result.output and "add the key" in result.output
    assert stored_rows(app) == before, "an unreadable secret is never overwritten"


# --- a wrong or missing key -------------------------------------------------------------------------------------


def test_a_secret_no_configured_key_opens_gives_a_clear_message_not_an_error_and_recovery_codes_still_work(
    app, clock, caplog
):
    secret, codes = enrolled_member(app, clock)
    app.config["TWO_FACTOR_KEYS"] = [NEW_KEY]  # the wrong key is configured
    client = password_step(app)

    with caplog.at_level(logging.ERROR):
        response = post_form(client, CHALLENGE, {"code": clock.code(secret)})

    assert response.status_code == 400
    assert "Codes from your app cannot be checked at the moment" in response.get_data(as_text=True)
    assert "no key in TWO_FACTOR_KEYS fits it" in caplog.text and secret not in caplog.text
    assert stored_rows(app)[0]["failed_attempts"] == 0, "not the member's mistake: not counted as a wrong code"
    response = post_form(client, CHALLENGE, {"code": codes[0]})
    assert response.status_code == 302 and signed_in(client)


def test_a_set_up_started_under_a_lost_key_starts_afresh(app):
    with app.app_context():
        make_user("sam")
    client = app.test_client()
    post_form(client, "/login", {"login": "sam", "password": PASSWORD})
    first = client.get("/account/two-factor/enrol")
    assert first.status_code == 200
    app.config["TWO_FACTOR_KEYS"] = [NEW_KEY]
    second = client.get("/account/two-factor/enrol")
    assert second.status_code == 200 and "<svg" in second.get_data(as_text=True)
    Fernet(NEW_KEY).decrypt(stored_rows(app)[0]["secret_encrypted"].encode())  # made again, with the key in force


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("SECRET_KEY", "x" * 20 + "a-long-random-production-key")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://kring@db/kring")
    monkeypatch.delenv("TWO_FACTOR_KEYS", raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_a_two_factor_key(production_env):
    with pytest.raises(RuntimeError, match="TWO_FACTOR_KEYS must be set in production"):
        ProductionConfig()
    production_env.setenv("TWO_FACTOR_KEYS", TESTING_TWO_FACTOR_KEY)  # the published testing key
    with pytest.raises(RuntimeError, match="TWO_FACTOR_KEYS must be set in production"):
        ProductionConfig()
    production_env.setenv("TWO_FACTOR_KEYS", f"{NEW_KEY}, {TESTING_TWO_FACTOR_KEY[::-1]}")
    with pytest.raises(RuntimeError, match="key 2 of 2 is not a Fernet key") as refused:
        ProductionConfig()
    assert NEW_KEY not in str(refused.value), "the message never shows a key"
    production_env.setenv("TWO_FACTOR_KEYS", NEW_KEY)
    assert ProductionConfig().TWO_FACTOR_KEYS == [NEW_KEY]


def test_development_makes_a_key_once_and_keeps_it_private_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("KRING_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("TWO_FACTOR_KEYS", raising=False)
    first, second = DevelopmentConfig(), DevelopmentConfig()
    assert first.TWO_FACTOR_KEYS == second.TWO_FACTOR_KEYS and len(first.TWO_FACTOR_KEYS) == 1
    Fernet(first.TWO_FACTOR_KEYS[0])
    assert (tmp_path / "two_factor_keys").stat().st_mode & 0o077 == 0


# --- the migration of existing secrets --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def keep_logging_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in tests/test_migrations.py: migrations/env.py would replace the loggers of later tests."""
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app on an empty database of each kind, built by the migrations only."""
    if request.param == "sqlite":
        yield from _app_on(f"sqlite:///{tmp_path / 'secrets.db'}")
    else:
        with temporary_postgres_database("kring_2fa") as url:
            yield from _app_on(url)


def _app_on(url: str) -> Iterator[Flask]:
    app = build_app(url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_migration_encrypts_existing_secrets_so_old_enrolments_still_sign_in(migrated_app):
    before = ScriptDirectory(MIGRATIONS_DIR).get_revision(MIGRATION).down_revision
    secret = pyotp.random_base32(32)
    with migrated_app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=before)
        user_id = make_user("sam").id
        db.session.execute(
            sa.text(
                "INSERT INTO two_factor_settings (user_id, secret, created_at, enabled_at, failed_attempts) "
                "VALUES (:user_id, :secret, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
            ),
            {"user_id": user_id, "secret": secret},
        )
        db.session.commit()

        upgrade(directory=MIGRATIONS_DIR)  # to the head: the app below runs on today's models

    [row] = stored_rows(migrated_app)
    assert secret not in str(row.values()) and "secret" not in row
    assert Fernet(TESTING_TWO_FACTOR_KEY).decrypt(row["secret_encrypted"].encode()).decode() == secret
    client = password_step(migrated_app)
    response = post_form(client, CHALLENGE, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and signed_in(client)

    with migrated_app.app_context():
        downgrade(directory=MIGRATIONS_DIR, revision=before)
        assert db.session.execute(sa.text("SELECT secret FROM two_factor_settings")).scalar_one() == secret
        db.session.commit()
