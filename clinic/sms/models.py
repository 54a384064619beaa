"""Inbound SMS replies: the proof that a (retried) webhook acted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Identity, String, func
from sqlalchemy.orm import Mapped, mapped_column

from clinic.db import Base


class SmsReply(Base):
    """One signed inbound message, by Twilio's MessageSid: what it did (confirmed, cancelled, opted_out,
    help, unknown_number, too_late, nothing) and to which appointment."""

    __tablename__ = "sms_replies"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(16))
    appointment_id: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
