"""safeguarding leads: leads per group or for the installation (tier 1 or 2), their on-call rota, a group's own
response times, and each case's step on the leads' ladder (escalation_level, escalation_level_at).

Revision ID: b7e3a1d95c20
Revises: c4d8e2f1a6b3
Create Date: 2026-12-08 05:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "b7e3a1d95c20"
down_revision = "c4d8e2f1a6b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "safeguarding_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("tier IN (1, 2)", name=op.f("ck_safeguarding_leads_tier")),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_safeguarding_leads_added_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_safeguarding_leads_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_safeguarding_leads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_leads")),
    )
    op.create_index("ix_safeguarding_leads_scope", "safeguarding_leads", ["group_id", "tier"], unique=False)
    op.create_index(op.f("ix_safeguarding_leads_user_id"), "safeguarding_leads", ["user_id"], unique=False)
    op.create_table(
        "safeguarding_rota_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_safeguarding_rota_entries_period")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_safeguarding_rota_entries_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["safeguarding_leads.id"],
            name=op.f("fk_safeguarding_rota_entries_lead_id_safeguarding_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_rota_entries")),
    )
    op.create_index(
        "ix_safeguarding_rota_entries_lead_period",
        "safeguarding_rota_entries",
        ["lead_id", "ends_at", "starts_at"],
        unique=False,
    )
    op.create_table(
        "safeguarding_response_times",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("acute_minutes", sa.Integer(), nullable=True),
        sa.Column("concern_minutes", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_safeguarding_response_times_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_safeguarding_response_times_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_safeguarding_response_times")),
    )
    with op.batch_alter_table("safeguarding_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("escalation_level_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            "ix_safeguarding_cases_lead_escalation", ["status", "taken_at", "escalation_level", "due_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("safeguarding_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_safeguarding_cases_lead_escalation")
        batch_op.drop_column("escalation_level_at")
        batch_op.drop_column("escalation_level")
    op.drop_table("safeguarding_response_times")
    op.drop_index("ix_safeguarding_rota_entries_lead_period", table_name="safeguarding_rota_entries")
    op.drop_table("safeguarding_rota_entries")
    op.drop_index(op.f("ix_safeguarding_leads_user_id"), table_name="safeguarding_leads")
    op.drop_index("ix_safeguarding_leads_scope", table_name="safeguarding_leads")
    op.drop_table("safeguarding_leads")
