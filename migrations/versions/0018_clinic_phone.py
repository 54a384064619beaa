"""clinics: a phone number, shown with the address wherever the app tells a patient to call the clinic

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("clinics", sa.Column("phone", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("clinics", "phone")
