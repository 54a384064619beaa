"""users: verified addresses, sign-ups that reuse a taken address, email verification tokens

`email_verified_at`: when the account proved it receives mail at its address; every account that exists
before this revision, or is made by anything but the sign-up (admins, the CLI, the demo), counts as verified. `shadow`: an account
made by a sign-up with an address that already had one (see README, security notes): it works like any
new account but is never found by its address, never verified and never emailed, so the address's
uniqueness now holds among the other accounts only. `email_verifications` keeps the SHA-256 of each
verification link's token, never the token.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The default covers every account made by anything but self-service sign-up (which writes NULL):
    # the existing ones, and those made by staff, the CLI, the demo and the tests.
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                                     nullable=True))
    op.add_column("users", sa.Column("shadow", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.drop_index("uq_users_email_lower", table_name="users")
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True,
                    postgresql_where=sa.text("NOT shadow"))
    op.create_table(
        "email_verifications",
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_email_verifications_user_id_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_email_verifications"),
    )
    op.create_index("ix_email_verifications_user_id", "email_verifications", ["user_id"])


def downgrade() -> None:
    op.drop_table("email_verifications")
    op.execute("DELETE FROM users WHERE shadow")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.drop_column("users", "shadow")
    op.drop_column("users", "email_verified_at")
