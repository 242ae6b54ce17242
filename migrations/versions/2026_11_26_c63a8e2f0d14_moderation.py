"""moderation: keyword filters, group moderation settings, topic slow mode, moderation actions, appeals, moderator notes, member mute/block, safeguarding cases and notes.

Revision ID: c63a8e2f0d14
Revises: b52f7d1e9c03
Create Date: 2026-11-26 02:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "c63a8e2f0d14"
down_revision = "b52f7d1e9c03"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "group_moderation_settings",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("personal_details_mode", sa.String(length=8), nullable=False),
        sa.Column("new_member_max_links", sa.Integer(), nullable=True),
        sa.Column("new_member_max_mentions", sa.Integer(), nullable=True),
        sa.Column("report_hide_threshold", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_moderation_settings_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_group_moderation_settings")),
    )

    op.create_table(
        "keyword_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("pattern", sa.String(length=200), nullable=False),
        sa.Column("match", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_keyword_filters_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_keyword_filters_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_keyword_filters")),
    )

    with op.batch_alter_table("keyword_filters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_keyword_filters_group_id"), ["group_id"], unique=False)

    op.create_table(
        "member_relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["other_id"], ["users.id"], name=op.f("fk_member_relations_other_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_member_relations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_relations")),
        sa.UniqueConstraint("user_id", "other_id", "kind", name=op.f("uq_member_relations_user_id_other_id_kind")),
    )

    with op.batch_alter_table("member_relations", schema=None) as batch_op:
        batch_op.create_index("ix_member_relations_other", ["other_id", "kind"], unique=False)

    op.create_table(
        "moderator_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_moderator_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_moderator_notes_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["users.id"], name=op.f("fk_moderator_notes_subject_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_notes")),
    )

    with op.batch_alter_table("moderator_notes", schema=None) as batch_op:
        batch_op.create_index("ix_moderator_notes_subject", ["group_id", "subject_id", "id"], unique=False)

    op.create_table(
        "moderation_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("queue_item_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_moderation_actions_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_moderation_actions_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["queue_item_id"],
            ["queue_items.id"],
            name=op.f("fk_moderation_actions_queue_item_id_queue_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["users.id"], name=op.f("fk_moderation_actions_subject_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_actions")),
    )

    with op.batch_alter_table("moderation_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_actions_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index("ix_moderation_actions_subject", ["group_id", "subject_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_moderation_actions_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index("ix_moderation_actions_target", ["target_type", "target_id"], unique=False)

    op.create_table(
        "safeguarding_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_note", sa.Text(), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("queue_item_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("phrase_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_safeguarding_cases_closed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_safeguarding_cases_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["queue_item_id"],
            ["queue_items.id"],
            name=op.f("fk_safeguarding_cases_queue_item_id_queue_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_safeguarding_cases_raised_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["users.id"], name=op.f("fk_safeguarding_cases_subject_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["users.id"], name=op.f("fk_safeguarding_cases_taken_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_cases")),
    )

    with op.batch_alter_table("safeguarding_cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_safeguarding_cases_escalation", ["status", "taken_at", "escalated_at", "opened_at"], unique=False
        )
        batch_op.create_index(
            "ix_safeguarding_cases_group_open", ["group_id", "status", "severity", "due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_safeguarding_cases_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index("ix_safeguarding_cases_target", ["target_type", "target_id", "status"], unique=False)

    op.create_table(
        "topic_slow_modes",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_topic_slow_modes_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_topic_slow_modes_set_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_topic_slow_modes_topic_id_topics"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_topic_slow_modes")),
    )

    with op.batch_alter_table("topic_slow_modes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_slow_modes_group_id"), ["group_id"], unique=False)

    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["moderation_actions.id"],
            name=op.f("fk_appeals_action_id_moderation_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_appeals_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_appeals_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("action_id", name=op.f("uq_appeals_action_id")),
    )

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_user_id"), ["user_id"], unique=False)

    op.create_table(
        "safeguarding_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_safeguarding_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["safeguarding_cases.id"],
            name=op.f("fk_safeguarding_notes_case_id_safeguarding_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_notes")),
    )

    with op.batch_alter_table("safeguarding_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safeguarding_notes_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("excluded_moderator_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_queue_items_target", ["target_type", "target_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_queue_items_excluded_moderator_id_users"),
            "users",
            ["excluded_moderator_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_target", ["target_type", "target_id"], unique=False)


def downgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_target")

    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_queue_items_excluded_moderator_id_users"), type_="foreignkey")
        batch_op.drop_index("ix_queue_items_target")
        batch_op.drop_column("excluded_moderator_id")

    with op.batch_alter_table("safeguarding_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_notes_case_id"))

    op.drop_table("safeguarding_notes")

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_user_id"))

    op.drop_table("appeals")

    with op.batch_alter_table("topic_slow_modes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_slow_modes_group_id"))

    op.drop_table("topic_slow_modes")

    with op.batch_alter_table("safeguarding_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_safeguarding_cases_target")
        batch_op.drop_index(batch_op.f("ix_safeguarding_cases_subject_id"))
        batch_op.drop_index("ix_safeguarding_cases_group_open")
        batch_op.drop_index("ix_safeguarding_cases_escalation")

    op.drop_table("safeguarding_cases")

    with op.batch_alter_table("moderation_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_actions_target")
        batch_op.drop_index(batch_op.f("ix_moderation_actions_subject_id"))
        batch_op.drop_index("ix_moderation_actions_subject")
        batch_op.drop_index(batch_op.f("ix_moderation_actions_actor_id"))

    op.drop_table("moderation_actions")

    with op.batch_alter_table("moderator_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_moderator_notes_subject")

    op.drop_table("moderator_notes")

    with op.batch_alter_table("member_relations", schema=None) as batch_op:
        batch_op.drop_index("ix_member_relations_other")

    op.drop_table("member_relations")

    with op.batch_alter_table("keyword_filters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_keyword_filters_group_id"))

    op.drop_table("keyword_filters")

    op.drop_table("group_moderation_settings")
