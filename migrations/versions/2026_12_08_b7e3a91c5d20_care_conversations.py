"""care conversations and outreach: a named private conversation the group's staff start with several people
(conversations.care, conversations.title), participants who read from when they were added and members who
answer a request first (conversation_participants.from_seq, request_pending), system lines in a conversation
(messages.event, messages.subject_id), and the group's outreach setting (groups.outreach_allowed).

Revision ID: b7e3a91c5d20
Revises: b7e3a9d2c5f1
Create Date: 2026-12-08 05:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "b7e3a91c5d20"
down_revision = "b7e3a9d2c5f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("care", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("title", sa.String(length=80), nullable=True))
    with op.batch_alter_table("conversation_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("request_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_messages_subject_id_users"), "users", ["subject_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outreach_allowed", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("outreach_allowed")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_messages_subject_id_users"), type_="foreignkey")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("event")
    with op.batch_alter_table("conversation_participants", schema=None) as batch_op:
        batch_op.drop_column("request_pending")
        batch_op.drop_column("from_seq")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("title")
        batch_op.drop_column("care")
