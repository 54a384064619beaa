"""Users and the state of their refresh tokens."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    String,
    false,
    func,
    text,
)
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
        # Shadows (sign-ups with a taken address) share it; every other account has its own.
        Index("uq_users_email_lower", text("lower(email)"), unique=True, postgresql_where=text("NOT shadow")),
        CheckConstraint("role IN ('patient', 'doctor', 'receptionist', 'admin')", name="role"),
        CheckConstraint("locale IN ('es', 'en')", name="locale"),
        # A walk-in patient registered by the front desk may have no email (and then no password).
        CheckConstraint("email IS NOT NULL OR role = 'patient'", name="email_or_patient"),
        # Inbound SMS replies find their sender by number (clinic.sms.replies).
        Index("ix_users_phone", "phone", postgresql_where=text("phone IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # NULL: no password yet (a walk-in; with an email they get a link to choose one).
    password_hash: Mapped[str | None] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    birth_date: Mapped[date | None] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5), server_default="es")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    # Set by the no-show sweep after three no-shows in 90 days; shown to staff.
    no_show_flagged_at: Mapped[datetime | None]
    # When the account proved it reads mail at `email`; until then its patient emails are held. Only the
    # self-service sign-up writes NULL: staff, the CLI and the demo vouch for the addresses they enter.
    email_verified_at: Mapped[datetime | None] = mapped_column(server_default=func.now())
    # Made by a sign-up with an address another account already has: a working account that is never
    # found by that address (no sign-in, no reset), never verified and never emailed.
    shadow: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Explicit consent to SMS/WhatsApp reminders (clinic.sms.consent): when it was given and by whom (the
    # patient, or the receptionist who recorded a walk-in's), and when it was last withdrawn.
    sms_opt_in: Mapped[bool] = mapped_column(Boolean, server_default=false())
    sms_opt_in_at: Mapped[datetime | None]
    sms_consent_by: Mapped[int | None] = mapped_column(BigInteger)
    sms_opt_out_at: Mapped[datetime | None]

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class RefreshToken(Base):
    """One issued refresh token. Tokens descending from one login share a family;
    presenting a token that was already rotated out revokes the whole family."""

    __tablename__ = "refresh_tokens"
    # Every signed-in request asks whether its access token's family was revoked (web.access).
    __table_args__ = (
        Index("ix_refresh_tokens_revoked_family", "family_id", postgresql_where=text("revoked_at IS NOT NULL")),
    )

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


class PasswordReset(Base):
    """One password-reset link. Its token is HMAC(secret, nonce) (clinic.identity.resets): a database dump
    alone opens nothing, and the email worker renders the link from the nonce. Requests match on the
    token's SHA-256. Single use (`used_at`), valid until `expires_at`."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class EmailVerification(Base):
    """One verification link sent: the SHA-256 of its token (the token itself exists only in the email),
    for the address it was sent to."""

    __tablename__ = "email_verifications"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
