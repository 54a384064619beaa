"""doctor_slot_changes: a doctor's slots version, the count of committed changes to their busy times

The month of slots is computed once per doctor, service and range and kept in each web process
(clinic/availability/cache.py), keyed by the doctor's version: the sum of `weight` over the doctor's rows
here. Triggers insert one row per doctor in the very statement (so the same transaction) that inserts,
deletes, or changes the busy time of (doctor, start, blocked_until, cancelled or not) an appointment or
a time off, whichever code path makes it: booking, moves, cancellations, time-off cascades, sweeps, SQL
by hand. Working hours, zone and service length are read by the slots statement every time and are part
of the cache key, so they need no version.

Why a sum of inserted rows and not a counter on `doctors`: an UPDATE of the doctor's row would hold that
row's lock from the change to its commit, so every booking of one doctor would wait for the previous
one's commit (WAL flush included), and two open transactions changing one doctor would queue. Inserts
take no lock on each other. And the sum is exact as a version: it grows by at least one with every
committed change, so two snapshots that read the same sum saw the same changes (snapshots of later
moments see a superset of the commits), and nothing rolled back counts.

The scheduler folds each doctor's rows into one (`clinic/sweeps/due.py` `slot_changes`, the sum kept), so a
version costs a few index entries to read however many changes a doctor has had.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_RECORD = """
CREATE FUNCTION record_slot_change_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO doctor_slot_changes (doctor_id) SELECT DISTINCT doctor_id FROM ({doctors}) x;
  RETURN NULL;
END $$
"""

_MOVED = """(n.doctor_id <> o.doctor_id OR n.starts_at <> o.starts_at OR n.blocked_until <> o.blocked_until
   OR (n.status = 'cancelled') <> (o.status = 'cancelled'))"""
_CHANGED_APPOINTMENTS = f"""
SELECT n.doctor_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {_MOVED}
UNION ALL
SELECT o.doctor_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {_MOVED}
"""

_CHANGED_TIME_OFF = "SELECT doctor_id FROM new_rows UNION ALL SELECT doctor_id FROM old_rows"


def upgrade() -> None:
    op.create_table(
        "doctor_slot_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("doctor_id", sa.BigInteger(), nullable=False),
        sa.Column("weight", sa.BigInteger(), server_default="1", nullable=False),
    )
    op.execute("CREATE INDEX ix_doctor_slot_changes_doctor ON doctor_slot_changes (doctor_id) INCLUDE (weight)")
    op.execute(_RECORD.format(name="inserted", doctors="SELECT doctor_id FROM new_rows"))
    op.execute(_RECORD.format(name="deleted", doctors="SELECT doctor_id FROM old_rows"))
    op.execute(_RECORD.format(name="appointments_updated", doctors=_CHANGED_APPOINTMENTS))
    op.execute(_RECORD.format(name="time_off_updated", doctors=_CHANGED_TIME_OFF))
    for table in ("appointments", "time_off"):
        op.execute(f"CREATE TRIGGER {table}_slot_change_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS "
                   f"new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_slot_change_inserted()")
        op.execute(f"CREATE TRIGGER {table}_slot_change_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS "
                   f"old_rows FOR EACH STATEMENT EXECUTE FUNCTION record_slot_change_deleted()")
        op.execute(f"CREATE TRIGGER {table}_slot_change_upd AFTER UPDATE ON {table} REFERENCING OLD TABLE AS "
                   f"old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
                   f"record_slot_change_{table}_updated()")


def downgrade() -> None:
    for table in ("appointments", "time_off"):
        for suffix in ("ins", "del", "upd"):
            op.execute(f"DROP TRIGGER {table}_slot_change_{suffix} ON {table}")
    for name in ("inserted", "deleted", "appointments_updated", "time_off_updated"):
        op.execute(f"DROP FUNCTION record_slot_change_{name}()")
    op.drop_table("doctor_slot_changes")
