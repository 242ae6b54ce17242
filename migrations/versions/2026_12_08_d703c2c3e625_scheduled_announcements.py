"""scheduled announcements: written now, shown from publish_at (None: at once); announced_at is when the group was
told (existing announcements: when they were made).

Revision ID: d703c2c3e625
Revises: ea90aa3c0b6c
Create Date: 2026-12-08 05:26:34.003166

"""

from alembic import op
import sqlalchemy as sa


revision = "d703c2c3e625"
down_revision = "ea90aa3c0b6c"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("announced_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE announcements SET announced_at = created_at")


def downgrade():
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_column("announced_at")
        batch_op.drop_column("publish_at")
