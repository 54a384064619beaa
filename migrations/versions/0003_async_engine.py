"""async_engine: deliveries (exactly-once email), waitlist and slot holds, no-show flag, outbox NOTIFY

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("appointment_id", sa.BigInteger(), nullable=True),
        sa.Column("doctor_id", sa.BigInteger(), nullable=True),
        sa.Column("recipient_id", sa.BigInteger(), nullable=True),
        sa.Column("details", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        sa.Column("batch_key", sa.String(200), nullable=True),
        sa.Column("payload", postgresql.JSONB(), nullable=True),
        sa.Column("provider_id", sa.String(100), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", TZ, nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'skipped', 'failed')",
                           name=op.f("ck_deliveries_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("key", name=op.f("uq_deliveries_key")),
    )
    op.create_index("ix_deliveries_unsent", "deliveries", ["created_at"],
                    postgresql_where=sa.text("status IN ('pending', 'sending')"))

    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("doctor_id", sa.BigInteger(), nullable=True),
        sa.Column("clinic_id", sa.BigInteger(), nullable=True),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), server_default="waiting", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("status IN ('waiting', 'offered', 'fulfilled', 'left')",
                           name=op.f("ck_waitlist_entries_status")),
        sa.CheckConstraint("from_date <= to_date", name=op.f("ck_waitlist_entries_range")),
        sa.ForeignKeyConstraint(["patient_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_waitlist_entries_patient_id_users")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_waitlist_entries_service_id_services")),
        sa.ForeignKeyConstraint(["doctor_id"], ["doctors.id"], name=op.f("fk_waitlist_entries_doctor_id_doctors")),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_waitlist_entries_clinic_id_clinics")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index("ix_waitlist_waiting", "waitlist_entries", ["service_id", "created_at"],
                    postgresql_where=sa.text("status = 'waiting'"))
    op.create_index("ix_waitlist_patient", "waitlist_entries", ["patient_id"])

    op.create_table(
        "slot_holds",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("doctor_id", sa.BigInteger(), nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("source_appointment_id", sa.BigInteger(), nullable=True),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("ends_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'used', 'expired')", name=op.f("ck_slot_holds_status")),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_slot_holds_order")),
        sa.ForeignKeyConstraint(["entry_id"], ["waitlist_entries.id"], ondelete="CASCADE",
                                name=op.f("fk_slot_holds_entry_id_waitlist_entries")),
        sa.ForeignKeyConstraint(["patient_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_slot_holds_patient_id_users")),
        sa.ForeignKeyConstraint(["doctor_id"], ["doctors.id"], ondelete="CASCADE",
                                name=op.f("fk_slot_holds_doctor_id_doctors")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_slot_holds_service_id_services")),
        sa.ForeignKeyConstraint(["source_appointment_id"], ["appointments.id"], ondelete="SET NULL",
                                name=op.f("fk_slot_holds_source_appointment_id_appointments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_holds")),
    )
    op.create_index(op.f("ix_slot_holds_entry_id"), "slot_holds", ["entry_id"])
    op.create_index("ix_slot_holds_doctor", "slot_holds", ["doctor_id", "starts_at"],
                    postgresql_where=sa.text("status = 'active'"))
    op.create_index("ix_slot_holds_expiry", "slot_holds", ["expires_at"],
                    postgresql_where=sa.text("status = 'active'"))

    # Patients with three no-shows in 90 days, for staff to see.
    op.add_column("users", sa.Column("no_show_flagged_at", TZ, nullable=True))

    # The relay LISTENs on 'outbox' so that a confirmation leaves within milliseconds of the commit
    # (NOTIFY is delivered only at commit, and once per transaction for an identical payload).
    op.execute("""
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$;
        CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox; DROP FUNCTION IF EXISTS outbox_notify();")
    op.drop_column("users", "no_show_flagged_at")
    op.drop_table("slot_holds")
    op.drop_table("waitlist_entries")
    op.drop_table("deliveries")
