"""Users and the state of their refresh tokens."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Identity, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from clinic.db import Base, CreatedAt


class Role(str, enum.Enum):
    patient = "patient"
    doctor = "doctor"
    receptionist = "receptionist"
    admin = "admin"


STAFF_ROLES = frozenset({Role.receptionist.value, Role.admin.value})
LOCALES = ("es", "en")


class User(CreatedAt, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
        CheckConstraint("role IN ('patient', 'doctor', 'receptionist', 'admin')", name="role"),
        CheckConstraint("locale IN ('es', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5), server_default="es")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    # Set by the no-show sweep after three no-shows in 90 days; shown to staff.
    no_show_flagged_at: Mapped[datetime | None]


class RefreshToken(Base):
    """One issued refresh token. Tokens descending from one login share a family;
    presenting a token that was already rotated out revokes the whole family."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    family_expires_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RevokedAccessToken(Base):
    """Access tokens killed before their expiry (logout). Rows past `expires_at` can be purged."""

    __tablename__ = "revoked_access_tokens"

    jti: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
