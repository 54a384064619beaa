"""Waitlist entries and slot holds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from clinic.db import Base

ENTRY_STATES = ("waiting", "offered", "fulfilled", "left")


class WaitlistEntry(Base):
    """A patient asks to be told when `service_id` (optionally with one doctor or clinic) frees up
    between two local dates (inclusive, in the slot's clinic time zone)."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'offered', 'fulfilled', 'left')", name="status"),
        CheckConstraint("from_date <= to_date", name="range"),
        Index("ix_waitlist_waiting", "service_id", "created_at", postgresql_where=text("status = 'waiting'")),
        Index("ix_waitlist_patient", "patient_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id"))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"))
    from_date: Mapped[date]
    to_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), server_default="waiting")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SlotHold(Base):
    """A freed slot reserved for one waiting patient until `expires_at`.

    Meanwhile, for everyone but that patient, it is as if booked: it blocks `[starts_at, blocked_until)`
    (its end plus the service's buffer) in the booking statement and the slots query, exactly as an
    appointment's own interval does."""

    __tablename__ = "slot_holds"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'used', 'expired')", name="status"),
        CheckConstraint("starts_at < ends_at", name="order"),
        # At most a day long: lets the booking statement bound its index range of holds on both sides.
        CheckConstraint("blocked_until >= ends_at AND blocked_until <= starts_at + interval '1 day'", name="span"),
        # Covering: the booking statement and the slots query check active holds from the index alone.
        Index(
            "ix_slot_holds_doctor",
            "doctor_id",
            "starts_at",
            postgresql_include=["blocked_until", "expires_at", "patient_id"],
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_slot_holds_expiry", "expires_at", postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entries.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    # The cancelled appointment that freed the slot.
    source_appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    blocked_until: Mapped[datetime]
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
