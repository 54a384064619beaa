"""SMS/WhatsApp reminders and replies: phone consent, confirmation state, inbound replies

- `users`: `sms_opt_in` with the consent's time and who recorded it (the patient, or staff for a walk-in),
  and the time of an opt-out (STOP/BAJA or the account page); an index on `phone` for inbound replies.
- `appointments`: `confirmed_at` / `confirmed_via` (a patient's SÍ/YES reply) and `cancelled_via` (`sms`
  when a NO reply cancelled it), which the desk shows as confirmed / unconfirmed / cancelled by SMS.
- `sms_replies`: every signed inbound message, unique by Twilio's `MessageSid`, so a webhook that Twilio
  retries acts once (a second "NO" must not cancel the *next* appointment too).

Reminder SMS reuse `deliveries` (kind `reminder_sms`, key `reminder:<id>:<offset>:<start>:sms`): the same
unique key that makes email reminders exactly-once, one channel further.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("sms_opt_in", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("sms_opt_in_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("sms_consent_by", sa.BigInteger(), nullable=True))
    op.add_column("users", sa.Column("sms_opt_out_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_users_phone", "users", ["phone"], postgresql_where=sa.text("phone IS NOT NULL"))
    op.add_column("appointments", sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("appointments", sa.Column("confirmed_via", sa.String(16), nullable=True))
    op.add_column("appointments", sa.Column("cancelled_via", sa.String(16), nullable=True))
    op.create_table(
        "sms_replies",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("message_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("appointment_id", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sms_replies")
    op.drop_column("appointments", "cancelled_via")
    op.drop_column("appointments", "confirmed_via")
    op.drop_column("appointments", "confirmed_at")
    op.drop_index("ix_users_phone", table_name="users")
    for name in ("sms_opt_out_at", "sms_consent_by", "sms_opt_in_at", "sms_opt_in"):
        op.drop_column("users", name)
