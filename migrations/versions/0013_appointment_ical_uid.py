"""appointments.ical_uid: the iCalendar UID, fixed when the appointment is booked

Until now the UID was derived at send time as `<appointments.uid>@<EMAIL_FROM's domain>`, so changing the
sending domain would have orphaned every event already in patients' calendars. Existing rows keep exactly
the UID they were sent with (read from EMAIL_FROM as this migration runs, which is the value the processes
use); new rows get a random UUID, which names no domain and never changes (RFC 7986 recommends a UUID).

Revision ID: 0013
Revises: 0012
"""
import os
from email.utils import parseaddr

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# What clinic.settings.LOCAL_DEFAULTS gave development and test runs, and what the old UIDs fell back to.
DEFAULT_SENDER = "Clínica <citas@clinic.local>"


def _domain() -> str:
    """The domain the old code put after the appointment's UUID (clinic.calendars.ics.uid_for at 0007)."""
    address = parseaddr(os.environ.get("EMAIL_FROM") or DEFAULT_SENDER)[1]
    return address.rpartition("@")[2] or "clinic.local"


def upgrade() -> None:
    op.add_column("appointments", sa.Column("ical_uid", sa.String(255)))
    op.execute(sa.text("UPDATE appointments SET ical_uid = uid::text || '@' || :domain")
               .bindparams(domain=_domain()))
    op.alter_column("appointments", "ical_uid", nullable=False, server_default=sa.text("gen_random_uuid()::text"))


def downgrade() -> None:
    op.drop_column("appointments", "ical_uid")
