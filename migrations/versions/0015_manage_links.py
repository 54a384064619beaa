"""manage_links: one-tap, no-sign-in links to one appointment (or to accept one waitlist offer)

Each row is one minted link, kept only as the HMAC of its token (the secret stays with the processes), bound
to exactly one appointment or one slot hold, with the instant it dies. Rows go with their appointment or
hold (ON DELETE CASCADE).

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "manage_links",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("appointment_id", sa.BigInteger(), nullable=True),
        sa.Column("hold_id", sa.BigInteger(), nullable=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="ck_manage_links_channel"),
        sa.CheckConstraint("(appointment_id IS NULL) <> (hold_id IS NULL)", name="ck_manage_links_one_target"),
        sa.PrimaryKeyConstraint("id", name="pk_manage_links"),
        sa.UniqueConstraint("token_hash", name="uq_manage_links_token_hash"),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"], ondelete="CASCADE",
                                name="fk_manage_links_appointment_id_appointments"),
        sa.ForeignKeyConstraint(["hold_id"], ["slot_holds.id"], ondelete="CASCADE",
                                name="fk_manage_links_hold_id_slot_holds"),
    )
    op.create_index("ix_manage_links_appointment_id", "manage_links", ["appointment_id"])
    op.create_index("ix_manage_links_hold_id", "manage_links", ["hold_id"])


def downgrade() -> None:
    op.drop_table("manage_links")
