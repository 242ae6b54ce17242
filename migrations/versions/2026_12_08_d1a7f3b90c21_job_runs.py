"""job runs: when each scheduled job last ran, last succeeded and last failed (core/jobs.py).

Revision ID: d1a7f3b90c21
Revises: b7e3a1d95c20
Create Date: 2026-12-08 05:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "d1a7f3b90c21"
down_revision = "b7e3a1d95c20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_started_at", sa.DateTime(), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_runs")),
    )


def downgrade():
    op.drop_table("job_runs")
