"""notifications and insight: preferences, e-mail outbox, digests, mail problems, pilot goals, hand-over notes.

Revision ID: f96d1b5c3a47
Revises: e85c0a4b2f36
Create Date: 2026-11-26 02:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "f96d1b5c3a47"
down_revision = "e85c0a4b2f36"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digest_runs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_runs")),
        sa.UniqueConstraint(
            "user_id", "period", "period_start", name=op.f("uq_digest_runs_user_id_period_period_start")
        ),
    )

    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_runs_created_at"), ["created_at"], unique=False)

    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_email_outbox_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_outbox")),
    )

    with op.batch_alter_table("email_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_email_outbox_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_email_outbox_user", ["user_id", "status", "kind"], unique=False)

    op.create_table(
        "group_mail_settings",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_mail_settings_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_group_mail_settings")),
    )

    op.create_table(
        "group_notification_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_notification_settings_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_group_notification_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_notification_settings")),
        sa.UniqueConstraint("user_id", "group_id", name=op.f("uq_group_notification_settings_user_id_group_id")),
    )

    with op.batch_alter_table("group_notification_settings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_notification_settings_group_id"), ["group_id"], unique=False)

    op.create_table(
        "handover_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_handover_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_handover_notes_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_notes")),
    )

    with op.batch_alter_table("handover_notes", schema=None) as batch_op:
        batch_op.create_index("ix_handover_notes_board", ["group_id", "id"], unique=False)

    op.create_table(
        "mail_problems",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.Column("smtp_code", sa.Integer(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mail_problems_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mail_problems")),
    )

    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_preferences_user_id_kind")),
    )

    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiet_start", sa.Integer(), nullable=True),
        sa.Column("quiet_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_settings")),
    )

    op.create_table(
        "pilot_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_pilot_goals_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_pilot_goals_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_goals")),
    )

    with op.batch_alter_table("pilot_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pilot_goals_group_id"), ["group_id"], unique=False)

    op.create_table(
        "topic_mutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_topic_mutes_topic_id_topics"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_topic_mutes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_mutes")),
        sa.UniqueConstraint("user_id", "topic_id", name=op.f("uq_topic_mutes_user_id_topic_id")),
    )

    with op.batch_alter_table("topic_mutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_mutes_topic_id"), ["topic_id"], unique=False)

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_app", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("email_mode", sa.String(length=16), server_default="never", nullable=False))
        batch_op.add_column(sa.Column("emailed_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_notifications_created", ["created_at"], unique=False)
        batch_op.create_index("ix_notifications_digest", ["email_mode", "emailed_at", "user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_digest")
        batch_op.drop_index("ix_notifications_created")
        batch_op.drop_column("emailed_at")
        batch_op.drop_column("email_mode")
        batch_op.drop_column("in_app")

    with op.batch_alter_table("topic_mutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_mutes_topic_id"))

    op.drop_table("topic_mutes")

    with op.batch_alter_table("pilot_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilot_goals_group_id"))

    op.drop_table("pilot_goals")

    op.drop_table("notification_settings")

    op.drop_table("notification_preferences")

    op.drop_table("mail_problems")

    with op.batch_alter_table("handover_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_handover_notes_board")

    op.drop_table("handover_notes")

    with op.batch_alter_table("group_notification_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_notification_settings_group_id"))

    op.drop_table("group_notification_settings")

    op.drop_table("group_mail_settings")

    with op.batch_alter_table("email_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_email_outbox_user")
        batch_op.drop_index("ix_email_outbox_due")

    op.drop_table("email_outbox")

    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_runs_created_at"))

    op.drop_table("digest_runs")
