"""helplines: the installation's helplines, kept by admins (empty: the configured defaults apply).

Revision ID: f3c9b5d72e41
Revises: e2b8a4c61d30
Create Date: 2026-12-08 05:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "f3c9b5d72e41"
down_revision = "e2b8a4c61d30"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "helplines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("sms", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("hours", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("acute", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("topics", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helplines")),
    )


def downgrade():
    op.drop_table("helplines")
