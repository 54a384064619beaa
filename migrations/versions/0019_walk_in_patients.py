"""users: walk-in patients (no email, no password) and a date of birth

The front desk registers people who walk in: a name and perhaps a phone, an email and a date of birth.
Without an email they never sign in (nothing to sign in with) and are never emailed; with one they get a
link to choose a password. So `email` and `password_hash` become optional (the unique index on
lower(email) ignores NULLs), and `birth_date` is new (the doctor's record page shows the age).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("birth_date", sa.Date(), nullable=True))
    op.alter_column("users", "email", nullable=True)
    op.alter_column("users", "password_hash", nullable=True)
    # Only a patient may lack an email (staff and doctors sign in with theirs).
    op.create_check_constraint("email_or_patient", "users", "email IS NOT NULL OR role = 'patient'")


def downgrade() -> None:
    op.drop_constraint("ck_users_email_or_patient", "users")
    op.execute("DELETE FROM users WHERE email IS NULL")
    op.execute("UPDATE users SET password_hash = '!' WHERE password_hash IS NULL")
    op.alter_column("users", "password_hash", nullable=False)
    op.alter_column("users", "email", nullable=False)
    op.drop_column("users", "birth_date")
