"""notifications: how far each reminder sweep got (one row per channel)

The reminder sweeps no longer write a delivery row per due reminder: they read up to where the previous
sweep got and hand the appointments due since then to the workers, who write each delivery as they send it
(clinic/notifications/store/reminders.py). This table holds the instant each channel was last swept as of.
A reminder can then reach a worker in two messages with different companions, so a batch being sent is found
by its key (ix_deliveries_sending_batch) and always sent again whole.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_sweeps",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("swept_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_deliveries_sending_batch", "deliveries", ["batch_key"], postgresql_where=sa.text("status = 'sending'")
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_sending_batch", table_name="deliveries")
    op.drop_table("reminder_sweeps")
