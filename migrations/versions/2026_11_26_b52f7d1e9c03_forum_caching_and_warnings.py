"""forum: a version per topic for the page cache; warnings a member always keeps collapsed.

Revision ID: b52f7d1e9c03
Revises: a41e6c0d2b57
Create Date: 2026-11-26 02:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "b52f7d1e9c03"
down_revision = "a41e6c0d2b57"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("member_preferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collapsed_warnings", sa.String(length=200), server_default="", nullable=False))

    # Not a batch: on SQLite that would rebuild "topics", which the full-text triggers refer to.
    op.add_column("topics", sa.Column("version", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    op.drop_column("topics", "version")  # SQLite 3.35+ drops a column in place

    with op.batch_alter_table("member_preferences", schema=None) as batch_op:
        batch_op.drop_column("collapsed_warnings")
