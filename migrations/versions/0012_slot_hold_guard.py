"""slot_holds: what a hold blocks for everyone but its patient, and a covering index for checking it

A held slot is, for every patient but the holder, as if it were booked: it blocks from its start until
`blocked_until` (its end plus the service's buffer), as an appointment's `[starts_at, blocked_until)`
does. The booking statement and the slots query read the active holds of a doctor around a time from
`ix_slot_holds_doctor` alone (start, blocked_until, expiry and holder in the index). The span check
(at most a day: services last at most 8 h plus 4 h of buffer) lets the booking statement bound that
index range on both sides.

Revision ID: 0012
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("slot_holds", sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE slot_holds h SET blocked_until = h.ends_at + make_interval(mins => s.buffer_minutes) "
               "FROM services s WHERE s.id = h.service_id")
    op.alter_column("slot_holds", "blocked_until", nullable=False)
    op.create_check_constraint(op.f("ck_slot_holds_span"), "slot_holds",
                               "blocked_until >= ends_at AND blocked_until <= starts_at + interval '1 day'")
    op.drop_index("ix_slot_holds_doctor", table_name="slot_holds")
    op.execute("CREATE INDEX ix_slot_holds_doctor ON slot_holds (doctor_id, starts_at) "
               "INCLUDE (blocked_until, expires_at, patient_id) WHERE status = 'active'")


def downgrade() -> None:
    op.drop_index("ix_slot_holds_doctor", table_name="slot_holds")
    op.create_index("ix_slot_holds_doctor", "slot_holds", ["doctor_id", "starts_at"],
                    postgresql_where=sa.text("status = 'active'"))
    op.drop_constraint(op.f("ck_slot_holds_span"), "slot_holds", type_="check")
    op.drop_column("slot_holds", "blocked_until")
