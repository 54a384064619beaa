"""accounts: password-reset tokens, and a quick "is this sign-in revoked?" lookup for access tokens

- `password_resets`: one row per reset link. The link's token is HMAC(secret, nonce) (like the calendar
  feed tokens): the row keeps the nonce and the token's SHA-256, so a database dump alone reveals no
  working link, and the email worker can still render the link it must send.
- `ix_refresh_tokens_revoked_family`: every signed-in request now also asks whether its access token's
  sign-in (refresh-token family) was revoked; this partial index answers from the revoked rows only.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_resets",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_password_resets_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    op.create_index(op.f("ix_password_resets_user_id"), "password_resets", ["user_id"], unique=False)
    op.execute("CREATE INDEX ix_refresh_tokens_revoked_family ON refresh_tokens (family_id) "
               "WHERE revoked_at IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX ix_refresh_tokens_revoked_family")
    op.drop_index(op.f("ix_password_resets_user_id"), table_name="password_resets")
    op.drop_table("password_resets")
