"""consent and privacy: guardian confirmations, the access log, data exports; consent records point at their document.

Revision ID: d74b9f3a1e25
Revises: c63a8e2f0d14
Create Date: 2026-11-26 02:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "d74b9f3a1e25"
down_revision = "c63a8e2f0d14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_log_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=120), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_entries")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_access_log_entries_entry_hash")),
    )

    with op.batch_alter_table("access_log_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_log_entries_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_log_entries_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ready_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_data_exports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )

    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.create_index("ix_data_exports_state", ["state", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_exports_user_id"), ["user_id"], unique=False)

    op.create_table(
        "guardian_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("guardian_email", sa.String(length=254), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_guardian_confirmations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian_confirmations")),
    )

    with op.batch_alter_table("guardian_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guardian_confirmations_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("consent_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_documents_kind"), ["kind"], unique=False)

    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guardian_confirmation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("document_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_consent_records_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_records_document_id"), ["document_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_consent_records_document_id_consent_documents"), "consent_documents", ["document_id"], ["id"]
        )

    if op.get_bind().dialect.name == "postgresql":
        # Append-only in the database too, not only in the ORM (docs/privacy.md).
        op.execute(
            "CREATE OR REPLACE FUNCTION kring_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in ("consent_records", "access_log_entries"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION kring_refuse_change()"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("consent_records", "access_log_entries"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS kring_refuse_change()")

    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consent_records_document_id_consent_documents"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_consent_records_document_id"))
        batch_op.drop_index(batch_op.f("ix_consent_records_created_at"))
        batch_op.drop_column("document_id")
        batch_op.drop_column("guardian_confirmation_id")

    with op.batch_alter_table("consent_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_documents_kind"))

    with op.batch_alter_table("guardian_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardian_confirmations_user_id"))

    op.drop_table("guardian_confirmations")

    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_exports_user_id"))
        batch_op.drop_index("ix_data_exports_state")

    op.drop_table("data_exports")

    with op.batch_alter_table("access_log_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_log_entries_subject_id"))
        batch_op.drop_index(batch_op.f("ix_access_log_entries_staff_id"))

    op.drop_table("access_log_entries")
