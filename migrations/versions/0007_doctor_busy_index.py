"""appointments: a covering index of each doctor's active appointments, for the free-slot query

The slots query reads every active appointment of a doctor in the requested range (starts_at and
blocked_until). With blocked_until included and the cancelled ones left out, PostgreSQL answers it
from the index alone once the rows are all-visible (autovacuum sees to that for all but the newest),
instead of visiting the table for each row.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_appointments_doctor_busy ON appointments (doctor_id, starts_at) "
               "INCLUDE (blocked_until) WHERE status <> 'cancelled'")


def downgrade() -> None:
    op.execute("DROP INDEX ix_appointments_doctor_busy")
