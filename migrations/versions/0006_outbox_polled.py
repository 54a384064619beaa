"""outbox: drop the NOTIFY trigger; relays poll the pending-rows index instead

A NOTIFY takes a database-wide lock at commit and holds it until the commit is flushed, so every
transaction that writes an outbox row (every booking, move and cancellation) would commit one at a
time. The relays poll the partial index `ix_outbox_pending` a few times a second instead.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox; DROP FUNCTION IF EXISTS outbox_notify();")


def downgrade() -> None:
    op.execute("""
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$;
        CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
    """)
