"""attachments: one table for the files members share (images and PDF documents, in posts and chat messages),
replacing post_images. Existing images keep their ids, so their addresses (/g/<slug>/images/<id>) still work.

Revision ID: b7e3a9d2c5f1
Revises: 7a2e5d9c4b16
Create Date: 2026-12-08 05:20:00

"""

from alembic import op
import sqlalchemy as sa


revision = "b7e3a9d2c5f1"
down_revision = "7a2e5d9c4b16"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("alt_text", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("(post_id IS NULL) <> (message_id IS NULL)", name=op.f("ck_attachments_one_owner")),
        sa.CheckConstraint("kind IN ('image', 'document')", name=op.f("ck_attachments_kind")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_attachments_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_attachments_message_id_messages"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_attachments_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("file_name", name=op.f("uq_attachments_file_name")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachments_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachments_post_id"), ["post_id"], unique=False)

    # The images so far, with their ids (their addresses) kept. Their byte size was never stored: 0.
    op.execute(
        "INSERT INTO attachments (id, kind, post_id, message_id, group_id, file_name, content_type, byte_size,"
        " width, height, alt_text, title, page_count, created_at)"
        " SELECT id, 'image', post_id, NULL, group_id, file_name, content_type, 0, width, height, alt_text, '',"
        " NULL, created_at FROM post_images"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('attachments', 'id'), COALESCE((SELECT MAX(id) FROM attachments), 0) + 1, false)"
        )

    with op.batch_alter_table("post_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_images_post_id"))
        batch_op.drop_index(batch_op.f("ix_post_images_group_id"))
    op.drop_table("post_images")


def downgrade():
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

    # Only post images fit the old table: documents and chat files lose their rows (their files are left for
    # `flask images sweep` to remove).
    op.execute(
        "INSERT INTO post_images (id, post_id, group_id, file_name, content_type, width, height, alt_text, created_at)"
        " SELECT id, post_id, group_id, file_name, content_type, width, height, alt_text, created_at"
        " FROM attachments WHERE kind = 'image' AND post_id IS NOT NULL"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('post_images', 'id'), COALESCE((SELECT MAX(id) FROM post_images), 0) + 1, false)"
        )

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_post_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_message_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_group_id"))
    op.drop_table("attachments")
