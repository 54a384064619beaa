"""Deliveries: the stored proof that an email was sent exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Identity, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clinic.db import Base

DELIVERY_STATES = ("pending", "sending", "sent", "skipped", "failed")


class Delivery(Base):
    """One email, identified by `key` (also the provider's Idempotency-Key for single sends).

    pending -> sending (rendered `payload` stored and committed) -> sent | failed; pending -> skipped when
    the appointment changed. A row in `sending` is re-sent with the stored payload and the same key, so a
    worker killed between the HTTP call and the commit that marks it sent cannot cause a second email.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'skipped', 'failed')", name="status"),
        Index("ix_deliveries_unsent", "created_at", postgresql_where=text("status IN ('pending', 'sending')")),
        # The batches being sent: a message that reaches one of their rows sends the whole batch again.
        Index("ix_deliveries_sending_batch", "batch_key", postgresql_where=text("status = 'sending'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Plain ids, not foreign keys: a sweep inserts tens of thousands of rows at once and three FK checks per
    # row doubled its cost. Appointments are never deleted (cancelled instead), and a sent row keeps no
    # personal data (the rendered payload is cleared), so nothing can dangle that matters.
    appointment_id: Mapped[int | None] = mapped_column(BigInteger)
    doctor_id: Mapped[int | None] = mapped_column(BigInteger)
    recipient_id: Mapped[int | None] = mapped_column(BigInteger)
    # What the email is about: a reminder's start and offset, an agenda's local day, an event id...
    details: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    # The Idempotency-Key this row was claimed with: its own key alone, or a batch key shared with others.
    batch_key: Mapped[str | None] = mapped_column(String(200))
    # The rendered request while `sending` (so a retry repeats it byte for byte); cleared once sent.
    payload: Mapped[dict | None] = mapped_column(JSONB)
    provider_id: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]


class ReminderSweep(Base):
    """The instant a channel's reminder sweep ('email' or 'sms') last ran as of: the next sweep hands over only
    the reminders due since then (and those of bookings committed just after it; see store/reminders.py)."""

    __tablename__ = "reminder_sweeps"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    swept_at: Mapped[datetime] = mapped_column()
