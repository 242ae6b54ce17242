"""sign-in links by admins: password_reset_tokens.issued_by_id, the admin who made a help-desk link.

Revision ID: e2b8a4c61d30
Revises: d1a7f3b90c21
Create Date: 2026-12-08 05:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "e2b8a4c61d30"
down_revision = "d1a7f3b90c21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("password_reset_tokens") as batch_op:
        batch_op.add_column(sa.Column("issued_by_id", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("password_reset_tokens") as batch_op:
        batch_op.drop_column("issued_by_id")
