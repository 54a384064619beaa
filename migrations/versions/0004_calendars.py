"""calendars: subscription feeds (hashed secret tokens and the documents the workers build)

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("body_gzip", sa.LargeBinary(), nullable=True),
        sa.Column("etag", sa.String(80), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_calendar_feeds_user_id_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_feeds"),
        sa.UniqueConstraint("user_id", name="uq_calendar_feeds_user_id"),
        sa.UniqueConstraint("token_hash", name="uq_calendar_feeds_token_hash"),
    )
    # The documents are already compressed or served rarely in full: keep them out of TOAST compression work.
    op.execute("ALTER TABLE calendar_feeds ALTER COLUMN body_gzip SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("calendar_feeds")
