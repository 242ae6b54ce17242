"""The attachments migration keeps the images posted before it: same ids (so their addresses still work), same
files, and new rows numbered after them; going back down gives the images their old table again."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from community.extensions import db
from tests.test_migrations import (  # noqa: F401  (fixtures)
    MIGRATIONS_DIR,
    empty_db_app,
    fresh_postgres_url,
    keep_logging_config,
    sqlite_url,
)

BEFORE = "c4d8e2f1a6b3"


def _filler(column: sa.Column) -> object:
    """A value for a NOT NULL column the test does not care about."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, (sa.DateTime, sa.Date)):
        return datetime(2026, 12, 1)
    if isinstance(kind, (sa.Integer, sa.Numeric)):
        return 0
    return "x"


def _insert(connection: sa.Connection, table_name: str, /, **values: object) -> None:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    row = {
        column.name: _filler(column)
        for column in table.columns
        if not column.nullable and column.server_default is None and not column.primary_key
    }
    connection.execute(table.insert().values(**(row | values)))


def test_the_images_keep_their_ids_and_files_through_the_migration(empty_db_app: Flask) -> None:  # noqa: F811
    with empty_db_app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        with db.engine.begin() as connection:
            _insert(connection, "users", id=1, username="sam", email="sam@example.org", state="active")
            _insert(connection, "groups", id=1, slug="young-people", name="Young people", state="active")
            _insert(connection, "topics", id=1, group_id=1, author_id=1, title="A topic", state="published")
            _insert(connection, "posts", id=1, topic_id=1, group_id=1, author_id=1, state="published")
            _insert(connection, "post_images", id=7, post_id=1, group_id=1, file_name="Ab/Abc.png",
                    content_type="image/png", width=30, height=20, alt_text="A red square")  # fmt: skip
        upgrade(directory=MIGRATIONS_DIR)
        with db.engine.begin() as connection:
            columns = "id, kind, post_id, message_id, file_name, alt_text, width"
            rows = connection.execute(sa.text(f"SELECT {columns} FROM attachments")).all()
            assert [tuple(row) for row in rows] == [(7, "image", 1, None, "Ab/Abc.png", "A red square", 30)]
            _insert(connection, "attachments", post_id=1, group_id=1, kind="document", file_name="Cd/Cde.pdf",
                    content_type="application/pdf", byte_size=10, alt_text="", title="Map")  # fmt: skip
            new_id = connection.execute(sa.text("SELECT MAX(id) FROM attachments")).scalar_one()
            assert new_id > 7
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        with db.engine.begin() as connection:
            rows = connection.execute(sa.text("SELECT id, post_id, file_name FROM post_images")).all()
            assert [tuple(row) for row in rows] == [(7, 1, "Ab/Abc.png")]  # the document had no place there
