"""Migrations keep what members wrote. On SQLite a batch migration copies a table and drops the old one; with
foreign keys on, that drop would first delete the rows that refer to the table (ON DELETE CASCADE), so the care
conversations' migration, which recreates ``conversations`` and ``messages``, once deleted every participant.
``migrations/env.py`` turns the foreign keys off around the migration and checks them afterwards."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from community.extensions import db
from tests.attachments.test_migration import _insert
from tests.test_migrations import (  # noqa: F401  (fixtures)
    MIGRATIONS_DIR,
    empty_db_app,
    fresh_postgres_url,
    keep_logging_config,
    sqlite_url,
)

BEFORE_CARE = "b7e3a9d2c5f1"  # the attachments; the next one recreates conversations, participants and messages
TABLES = ("memberships", "conversations", "conversation_participants", "messages", "attachments", "chat_reads")


def _counts() -> dict[str, int]:
    with db.engine.begin() as connection:
        return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES}


def test_a_conversation_and_its_messages_survive_the_migrations_up_and_down(empty_db_app: Flask) -> None:  # noqa: F811
    with empty_db_app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE_CARE)
        with db.engine.begin() as connection:
            _insert(connection, "users", id=1, username="sam", email="sam@example.org", state="active")
            _insert(connection, "groups", id=1, slug="parents", name="Parents", state="active")
            _insert(connection, "memberships", id=1, user_id=1, group_id=1)
            _insert(connection, "conversations", id=1, group_id=1, kind="private")
            _insert(connection, "conversation_participants", id=1, conversation_id=1, user_id=1)
            _insert(connection, "messages", id=1, conversation_id=1, author_id=1, seq=1, client_id="a")
            _insert(connection, "attachments", id=1, message_id=1, group_id=1, kind="document", file_name="Ab/c.pdf")
            _insert(connection, "chat_reads", user_id=1, conversation_id=1)
        before = _counts()
        assert set(before.values()) == {1}
        upgrade(directory=MIGRATIONS_DIR)
        assert _counts() == before
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE_CARE)
        assert _counts() == before
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1, "set back on afterwards"
