"""medical records: append-only versions, entries, break-glass grants and audit trail; data exports

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("record_versions", "record_entries", "break_glass_grants", "record_audit")


def upgrade() -> None:
    op.create_table(
        "medical_records",
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("current_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["users.id"], name=op.f("fk_medical_records_patient_id_users")),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_medical_records")),
    )
    op.create_table(
        "record_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("allergies", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("conditions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("medications", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("break_glass", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_record_versions_version")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_record_versions_author_id_users")),
        sa.ForeignKeyConstraint(["patient_id"], ["medical_records.patient_id"],
                                name=op.f("fk_record_versions_patient_id_medical_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_versions")),
        sa.UniqueConstraint("patient_id", "version", name="uq_record_versions_patient_version"),
    )
    op.create_table(
        "record_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("appointment_id", sa.BigInteger(), nullable=True),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("corrects_id", sa.BigInteger(), nullable=True),
        sa.Column("break_glass", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_record_entries_appointment_id_appointments")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_record_entries_author_id_users")),
        sa.ForeignKeyConstraint(["corrects_id"], ["record_entries.id"],
                                name=op.f("fk_record_entries_corrects_id_record_entries")),
        sa.ForeignKeyConstraint(["patient_id"], ["medical_records.patient_id"],
                                name=op.f("fk_record_entries_patient_id_medical_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_entries")),
    )
    op.create_index("ix_record_entries_patient_id", "record_entries", ["patient_id", "id"], unique=False)
    op.create_table(
        "break_glass_grants",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("doctor_user_id", sa.BigInteger(), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["doctor_user_id"], ["users.id"],
                                name=op.f("fk_break_glass_grants_doctor_user_id_users")),
        sa.ForeignKeyConstraint(["patient_id"], ["users.id"], name=op.f("fk_break_glass_grants_patient_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_grants")),
    )
    op.create_index("ix_break_glass_grants_lookup", "break_glass_grants",
                    ["doctor_user_id", "patient_id", "expires_at"], unique=False)
    op.create_table(
        "record_audit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("break_glass", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("object_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("outcome IN ('granted', 'denied', 'invalid')", name=op.f("ck_record_audit_outcome")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_audit")),
    )
    op.create_index("ix_record_audit_patient_id", "record_audit", ["patient_id", "id"], unique=False)
    op.create_index("ix_record_audit_actor_id", "record_audit", ["actor_id", "id"], unique=False)
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'ready', 'failed')", name=op.f("ck_data_exports_status")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_data_exports_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    op.create_index("ix_data_exports_user_id", "data_exports", ["user_id", "requested_at"], unique=False)

    # Append-only, enforced by PostgreSQL itself. Privileges alone would not hold: the table owner (and a
    # superuser, which is how we connect locally) bypasses them, but not a trigger that raises.
    op.execute("""
        CREATE FUNCTION forbid_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    for table in APPEND_ONLY:
        op.execute(f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
                       FOR EACH ROW EXECUTE FUNCTION forbid_append_only_change()""")
        op.execute(f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION forbid_append_only_change()""")
        # For roles other than the owner (e.g. a separate application role granted via PUBLIC).
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC")


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
    op.execute("DROP FUNCTION IF EXISTS forbid_append_only_change()")
    op.drop_index("ix_data_exports_user_id", table_name="data_exports")
    op.drop_table("data_exports")
    op.drop_index("ix_record_audit_actor_id", table_name="record_audit")
    op.drop_index("ix_record_audit_patient_id", table_name="record_audit")
    op.drop_table("record_audit")
    op.drop_index("ix_break_glass_grants_lookup", table_name="break_glass_grants")
    op.drop_table("break_glass_grants")
    op.drop_index("ix_record_entries_patient_id", table_name="record_entries")
    op.drop_table("record_entries")
    op.drop_table("record_versions")
    op.drop_table("medical_records")
