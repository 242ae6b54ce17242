"""professionals: profiles, specialties, languages, requests to talk and questions to a group's team.

Revision ID: e85c0a4b2f36
Revises: d74b9f3a1e25
Create Date: 2026-11-26 02:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "e85c0a4b2f36"
down_revision = "d74b9f3a1e25"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "professional_specialties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional_specialties")),
        sa.UniqueConstraint("name", name=op.f("uq_professional_specialties_name")),
    )

    op.create_table(
        "professional_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_name", sa.String(length=80), nullable=False),
        sa.Column("role_title", sa.String(length=80), nullable=False),
        sa.Column("organisation", sa.String(length=120), nullable=False),
        sa.Column("intro_source", sa.Text(), nullable=False),
        sa.Column("intro_html", sa.Text(), nullable=False),
        sa.Column("photo_file", sa.String(length=120), nullable=True),
        sa.Column("photo_content_type", sa.String(length=32), nullable=True),
        sa.Column("availability", sa.JSON(), nullable=False),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_professional_profiles_reviewed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_professional_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_professional_profiles_user_id")),
    )

    with op.batch_alter_table("professional_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professional_profiles_state"), ["state"], unique=False)

    op.create_table(
        "professional_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("client_token", sa.String(length=40), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("email_me", sa.Boolean(), nullable=False),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("answer_source", sa.Text(), nullable=False),
        sa.Column("answer_html", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"],
            ["users.id"],
            name=op.f("fk_professional_questions_claimed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_professional_questions_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["users.id"], name=op.f("fk_professional_questions_member_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional_questions")),
        sa.UniqueConstraint("member_id", "client_token", name="uq_professional_questions_client_token"),
    )

    with op.batch_alter_table("professional_questions", schema=None) as batch_op:
        batch_op.create_index("ix_professional_questions_member", ["member_id", "id"], unique=False)
        batch_op.create_index("ix_professional_questions_queue", ["group_id", "status", "created_at"], unique=False)

    op.create_table(
        "professional_profile_languages",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["professional_profiles.id"],
            name=op.f("fk_professional_profile_languages_profile_id_professional_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", "code", name=op.f("pk_professional_profile_languages")),
    )

    with op.batch_alter_table("professional_profile_languages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professional_profile_languages_code"), ["code"], unique=False)

    op.create_table(
        "professional_profile_specialties",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("specialty_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["professional_profiles.id"],
            name=op.f("fk_professional_profile_specialties_profile_id_professional_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["specialty_id"],
            ["professional_specialties.id"],
            name=op.f("fk_professional_profile_specialties_specialty_id_professional_specialties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", "specialty_id", name=op.f("pk_professional_profile_specialties")),
    )

    with op.batch_alter_table("professional_profile_specialties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_professional_profile_specialties_specialty_id"), ["specialty_id"], unique=False
        )

    op.create_table(
        "professional_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("professional_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("email_me", sa.Boolean(), nullable=False),
        sa.Column("decline_note", sa.Text(), nullable=False),
        sa.Column("suggested_profile_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_professional_requests_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_professional_requests_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["users.id"], name=op.f("fk_professional_requests_member_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["users.id"],
            name=op.f("fk_professional_requests_professional_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggested_profile_id"],
            ["professional_profiles.id"],
            name=op.f("fk_professional_requests_suggested_profile_id_professional_profiles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional_requests")),
    )

    with op.batch_alter_table("professional_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professional_requests_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_professional_requests_member", ["member_id", "state", "id"], unique=False)
        batch_op.create_index("ix_professional_requests_professional", ["professional_id", "state", "id"], unique=False)
        batch_op.create_index(
            "uq_professional_requests_open_pair",
            ["member_id", "professional_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )


def downgrade():
    with op.batch_alter_table("professional_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_professional_requests_open_pair",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.drop_index("ix_professional_requests_professional")
        batch_op.drop_index("ix_professional_requests_member")
        batch_op.drop_index(batch_op.f("ix_professional_requests_group_id"))

    op.drop_table("professional_requests")

    with op.batch_alter_table("professional_profile_specialties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_profile_specialties_specialty_id"))

    op.drop_table("professional_profile_specialties")

    with op.batch_alter_table("professional_profile_languages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_profile_languages_code"))

    op.drop_table("professional_profile_languages")

    with op.batch_alter_table("professional_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_professional_questions_queue")
        batch_op.drop_index("ix_professional_questions_member")

    op.drop_table("professional_questions")

    with op.batch_alter_table("professional_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_profiles_state"))

    op.drop_table("professional_profiles")

    op.drop_table("professional_specialties")
