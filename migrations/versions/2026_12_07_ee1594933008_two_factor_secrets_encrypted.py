"""two-step sign-in secrets encrypted at rest: two_factor_settings.secret (the plain base32 secret) becomes
secret_encrypted (a Fernet token made with the first key in TWO_FACTOR_KEYS), and every existing secret is
encrypted here, in the same transaction, so no plain secret is left behind.

It reads TWO_FACTOR_KEYS from the app's configuration (it runs under `flask db upgrade`, where current_app is
the configured app): development makes the key by itself, production refuses to start without it. The
downgrade decrypts the secrets again, with the same keys.

Revision ID: ee1594933008
Revises: f96d1b5c3a47
Create Date: 2026-12-07 21:30:00

"""

from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


revision = "ee1594933008"
down_revision = "f96d1b5c3a47"
branch_labels = None
depends_on = None

settings = sa.table(
    "two_factor_settings",
    sa.column("user_id", sa.Integer),
    sa.column("secret", sa.String),
    sa.column("secret_encrypted", sa.String),
)


def _keys() -> MultiFernet:
    keys = current_app.config.get("TWO_FACTOR_KEYS") or []
    if not keys:
        raise RuntimeError("TWO_FACTOR_KEYS must be set to encrypt the two-step sign-in secrets (docs/operations.md).")
    return MultiFernet([Fernet(key) for key in keys])


def upgrade():
    with op.batch_alter_table("two_factor_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_encrypted", sa.String(length=255), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(settings.c.user_id, settings.c.secret)).all()
    if rows:
        keys = _keys()
        for user_id, secret in rows:
            connection.execute(
                settings.update()
                .where(settings.c.user_id == user_id)
                .values(secret_encrypted=keys.encrypt(secret.encode()).decode())
            )
    with op.batch_alter_table("two_factor_settings", schema=None) as batch_op:
        batch_op.alter_column("secret_encrypted", existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column("secret")


def downgrade():
    with op.batch_alter_table("two_factor_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(settings.c.user_id, settings.c.secret_encrypted)).all()
    if rows:
        keys = _keys()
        for user_id, stored in rows:
            try:
                secret = keys.decrypt(stored.encode()).decode()
            except InvalidToken:
                raise RuntimeError(
                    "A two-step sign-in secret cannot be decrypted with TWO_FACTOR_KEYS: add the key it was made "
                    "with before downgrading."
                ) from None
            connection.execute(settings.update().where(settings.c.user_id == user_id).values(secret=secret))
    with op.batch_alter_table("two_factor_settings", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("secret_encrypted")
