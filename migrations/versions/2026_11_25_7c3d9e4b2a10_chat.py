"""chat: read positions per room, who started a private conversation and whether it was reported, hiding presence.

Revision ID: 7c3d9e4b2a10
Revises: 5f0a1c2e7b31
Create Date: 2026-11-25 21:40:01

"""

from alembic import op
import sqlalchemy as sa


revision = "7c3d9e4b2a10"
down_revision = "5f0a1c2e7b31"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chat_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("last_read_seq", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_chat_reads_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_chat_reads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "conversation_id", name=op.f("pk_chat_reads")),
    )

    with op.batch_alter_table("chat_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_reads_conversation_id"), ["conversation_id"], unique=False)

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("started_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_conversations_started_by_id_users"), "users", ["started_by_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("member_preferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hide_presence", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("member_preferences", schema=None) as batch_op:
        batch_op.drop_column("hide_presence")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_conversations_started_by_id_users"), type_="foreignkey")
        batch_op.drop_column("started_by_id")
        batch_op.drop_column("reported")

    with op.batch_alter_table("chat_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_reads_conversation_id"))

    op.drop_table("chat_reads")
