"""scheduling: date overrides, a doctor's own hours for one local date (extra hours, or a day off)

A row with start_time and end_time NULL says "not working that date"; rows with times replace that date's
weekly hours (several ranges a day, as in the weekly editor). The slot engine and the booking statement
read them next to working_hours.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "date_overrides",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("doctor_id", sa.BigInteger, sa.ForeignKey("doctors.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("start_time", sa.Time, nullable=True),
        sa.Column("end_time", sa.Time, nullable=True),
        sa.CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", name="ck_date_overrides_both_or_none"),
        sa.CheckConstraint("start_time < end_time", name="ck_date_overrides_order"),
    )
    op.create_index("ix_date_overrides_doctor_day", "date_overrides", ["doctor_id", "day"])


def downgrade() -> None:
    op.drop_table("date_overrides")
