"""Manage-link tokens, stored only as keyed hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic.db import Base, CreatedAt

CHANNELS = ("email", "sms")


class ManageLink(CreatedAt, Base):
    """One minted link: bound to one appointment, or to one waitlist hold (the offer it accepts).

    `token_hash` is HMAC(secret, token) (clinic.manage.tokens): a database dump alone opens nothing.
    `expires_at` is when the link was minted to die (the appointment's end, the hold's expiry); the
    appointment's current end is checked at use too, so a move never extends a link past it."""

    __tablename__ = "manage_links"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        CheckConstraint("(appointment_id IS NULL) <> (hold_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("slot_holds.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[datetime]
