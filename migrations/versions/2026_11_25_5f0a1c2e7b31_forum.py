"""forum: reading positions, announcements, notifications, images in posts, full-text search.

Search objects are not in the models (SQLite has no tsvector type, PostgreSQL no FTS5), so env.py leaves them
out of autogenerate; their statements are frozen below as they were when this migration was written.

Revision ID: 5f0a1c2e7b31
Revises: 9d26597cc1de
Create Date: 2026-11-25 21:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "5f0a1c2e7b31"
down_revision = "9d26597cc1de"
branch_labels = None
depends_on = None

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(body, title, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_insert AFTER INSERT ON posts WHEN new.state = 'published' BEGIN "
    "INSERT INTO posts_fts(rowid, body, title) VALUES (new.id, new.body_source, "
    "coalesce((SELECT t.title FROM topics t WHERE t.id = new.topic_id AND NOT EXISTS "
    "(SELECT 1 FROM posts o WHERE o.topic_id = new.topic_id AND o.id < new.id)), '')); END",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_update AFTER UPDATE OF body_source, state, topic_id ON posts BEGIN "
    "DELETE FROM posts_fts WHERE rowid = old.id; "
    "INSERT INTO posts_fts(rowid, body, title) SELECT new.id, new.body_source, "
    "coalesce((SELECT t.title FROM topics t WHERE t.id = new.topic_id AND NOT EXISTS "
    "(SELECT 1 FROM posts o WHERE o.topic_id = new.topic_id AND o.id < new.id)), '') "
    "WHERE new.state = 'published'; END",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_delete AFTER DELETE ON posts BEGIN "
    "DELETE FROM posts_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS topics_fts_title AFTER UPDATE OF title ON topics BEGIN "
    "UPDATE posts_fts SET title = new.title WHERE rowid = (SELECT min(id) FROM posts WHERE topic_id = new.id); END",
    # Posts written before search was installed (a migration on an existing database).
    "INSERT INTO posts_fts(rowid, body, title) SELECT p.id, p.body_source, "
    "CASE WHEN p.id = (SELECT min(o.id) FROM posts o WHERE o.topic_id = p.topic_id) THEN t.title ELSE '' END "
    "FROM posts p JOIN topics t ON t.id = p.topic_id "
    "WHERE p.state = 'published' AND p.id NOT IN (SELECT rowid FROM posts_fts)",
)

SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS topics_fts_title",
    "DROP TRIGGER IF EXISTS posts_fts_delete",
    "DROP TRIGGER IF EXISTS posts_fts_update",
    "DROP TRIGGER IF EXISTS posts_fts_insert",
    "DROP TABLE IF EXISTS posts_fts",
)

POSTGRESQL_DDL = (
    # Stored, so ranking a common word's thousands of matches does not re-parse every post's text.
    "ALTER TABLE posts ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', body_source)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_posts_search ON posts USING gin (search_vector) WHERE state = 'published'",
    # Titles are short: an expression index is enough.
    "CREATE INDEX IF NOT EXISTS ix_topics_search ON topics USING gin (to_tsvector('simple', title)) "
    "WHERE state = 'published'",
)

POSTGRESQL_DROP = (
    "DROP INDEX IF EXISTS ix_topics_search",
    "DROP INDEX IF EXISTS ix_posts_search",
    "ALTER TABLE IF EXISTS posts DROP COLUMN IF EXISTS search_vector",
)


def _run(statements):
    connection = op.get_bind()
    for statement in statements:
        connection.exec_driver_sql(statement)


def upgrade():
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_announcements_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["users.id"], name=op.f("fk_announcements_ended_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_announcements_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )

    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_announcements_current", ["group_id", "ended_at", "created_at"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_notifications_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_notifications_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_notifications_inbox", ["user_id", "id"], unique=False)
        batch_op.create_index("ix_notifications_target", ["target_type", "target_id"], unique=False)
        batch_op.create_index("ix_notifications_unread", ["user_id", "read_at", "created_at"], unique=False)

    op.create_table(
        "announcement_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_dismissals_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_announcement_dismissals_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_dismissals")),
        sa.UniqueConstraint(
            "user_id", "announcement_id", name=op.f("uq_announcement_dismissals_user_id_announcement_id")
        ),
    )

    with op.batch_alter_table("announcement_dismissals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_announcement_dismissals_announcement_id"), ["announcement_id"], unique=False
        )

    op.create_table(
        "topic_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("last_read_post_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_topic_reads_topic_id_topics"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_topic_reads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "topic_id", name=op.f("pk_topic_reads")),
    )

    with op.batch_alter_table("topic_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_reads_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "post_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("alt_text", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_post_images_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_images_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_images")),
        sa.UniqueConstraint("file_name", name=op.f("uq_post_images_file_name")),
    )

    with op.batch_alter_table("post_images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_images_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_post_images_post_id"), ["post_id"], unique=False)

    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topics_listing"))
        batch_op.create_index(
            "ix_topics_listing", ["group_id", "state", "pinned", "last_activity_at", "id"], unique=False
        )

    _run({"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(op.get_bind().dialect.name, ()))


def downgrade():
    _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(op.get_bind().dialect.name, ()))

    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index("ix_topics_listing")
        batch_op.create_index(
            batch_op.f("ix_topics_listing"), ["group_id", "state", "pinned", "last_activity_at"], unique=False
        )

    with op.batch_alter_table("post_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_images_post_id"))
        batch_op.drop_index(batch_op.f("ix_post_images_group_id"))

    op.drop_table("post_images")

    with op.batch_alter_table("topic_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_reads_topic_id"))

    op.drop_table("topic_reads")

    with op.batch_alter_table("announcement_dismissals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_dismissals_announcement_id"))

    op.drop_table("announcement_dismissals")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_unread")
        batch_op.drop_index("ix_notifications_target")
        batch_op.drop_index("ix_notifications_inbox")
        batch_op.drop_index(batch_op.f("ix_notifications_group_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_actor_id"))

    op.drop_table("notifications")

    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_announcements_current")
        batch_op.drop_index(batch_op.f("ix_announcements_author_id"))

    op.drop_table("announcements")
