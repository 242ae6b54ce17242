"""new topics per group: a member may ask to hear of every new topic in a group (notification kind "new_topic").

Revision ID: 5e7b2c9d1f04
Revises: a3c9e41b7d52
Create Date: 2026-12-08 02:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "5e7b2c9d1f04"
down_revision = "a3c9e41b7d52"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("group_notification_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("new_topics", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("group_notification_settings", schema=None) as batch_op:
        batch_op.drop_column("new_topics")
