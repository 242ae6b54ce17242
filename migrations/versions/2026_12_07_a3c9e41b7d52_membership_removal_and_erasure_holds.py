"""membership removal and erasure holds: when a member was removed and which invitation they joined through;
erased accounts whose evidence an open report or safeguarding case still needs.

Revision ID: a3c9e41b7d52
Revises: ee1594933008
Create Date: 2026-12-07 21:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "a3c9e41b7d52"
down_revision = "ee1594933008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_memberships_invitation_id_invitations"),
            "invitations",
            ["invitation_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Someone removed before this revision was removed before now: no invitation made until now lets them back.
    now = "timezone('utc', now())" if op.get_bind().dialect.name == "postgresql" else "CURRENT_TIMESTAMP"  # UTC
    op.execute(sa.text(f"UPDATE memberships SET removed_at = {now} WHERE state = 'removed'"))  # noqa: S608
    # The invitation each member last joined through, from the audit log's "invitation.accepted" entries.
    op.execute(
        sa.text(
            "UPDATE memberships SET invitation_id = ("
            " SELECT a.target_id FROM audit_entries a"
            " WHERE a.action = 'invitation.accepted' AND a.actor_id = memberships.user_id"
            " AND a.group_id = memberships.group_id"
            " AND a.target_id IN (SELECT i.id FROM invitations i)"
            " ORDER BY a.id DESC LIMIT 1)"
        )
    )

    op.create_table(
        "erasure_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("moderated_group_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_erasure_holds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_holds")),
        sa.UniqueConstraint("user_id", name=op.f("uq_erasure_holds_user_id")),
    )


def downgrade():
    op.drop_table("erasure_holds")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_memberships_invitation_id_invitations"), type_="foreignkey")
        batch_op.drop_column("invitation_id")
        batch_op.drop_column("removed_at")
