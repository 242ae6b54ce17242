"""member pre-moderation: a moderator keeps one member under pre-moderation, or releases them early from the
group's new-member pre-moderation.

Revision ID: 7a2e5d9c4b16
Revises: f3c9b5d72e41
Create Date: 2026-12-08 05:05:00

"""

from alembic import op
import sqlalchemy as sa


revision = "7a2e5d9c4b16"
down_revision = "f3c9b5d72e41"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_premoderation",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_member_premoderation_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_member_premoderation_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("membership_id", name=op.f("pk_member_premoderation")),
    )


def downgrade():
    op.drop_table("member_premoderation")
