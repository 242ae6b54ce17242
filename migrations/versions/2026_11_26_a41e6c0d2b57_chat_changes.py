"""chat: when each message last changed, so a reconnecting client catches up on edits and removals.

Revision ID: a41e6c0d2b57
Revises: 7c3d9e4b2a10
Create Date: 2026-11-26 01:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "a41e6c0d2b57"
down_revision = "7c3d9e4b2a10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_at", sa.DateTime(), nullable=True))
    # Existing messages: last changed when edited, else when written.
    op.execute("UPDATE messages SET changed_at = COALESCE(edited_at, created_at)")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.alter_column("changed_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index("ix_messages_conversation_changed", ["conversation_id", "changed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_conversation_changed")
        batch_op.drop_column("changed_at")
