"""Appointments and their history."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clinic.db import Base, CreatedAt

STATUSES = ("booked", "cancelled", "completed", "no_show")
ACTIVE = "status <> 'cancelled'"


class Appointment(CreatedAt, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled', 'completed', 'no_show')", name="status"),
        CheckConstraint("starts_at < ends_at AND ends_at <= blocked_until", name="order"),
        # The last word on double booking: a doctor's active appointments (plus buffers) never overlap...
        ExcludeConstraint(
            ("doctor_id", "="),
            (func.tstzrange(text("starts_at"), text("blocked_until"), "[)"), "&&"),
            name="appointments_no_doctor_overlap",
            using="gist",
            where=text(ACTIVE),
        ),
        # ...and neither do a patient's.
        ExcludeConstraint(
            ("patient_id", "="),
            (func.tstzrange(text("starts_at"), text("ends_at"), "[)"), "&&"),
            name="appointments_no_patient_overlap",
            using="gist",
            where=text(ACTIVE),
        ),
        Index("ix_appointments_doctor_starts", "doctor_id", "starts_at"),
        # What a doctor's free slots exclude, read from the index alone (an index-only scan).
        Index(
            "ix_appointments_doctor_busy",
            "doctor_id",
            "starts_at",
            postgresql_include=["blocked_until"],
            postgresql_where=text(ACTIVE),
        ),
        Index("ix_appointments_patient_starts", "patient_id", "starts_at"),
        Index("ix_appointments_starts_booked", "starts_at", postgresql_where=text("status = 'booked'")),
        # One clinic's appointments in listing order (the desk's paged week, keyset cursor included).
        Index("ix_appointments_clinic_starts", "clinic_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    uid: Mapped[uuid.UUID] = mapped_column(server_default=text("gen_random_uuid()"), unique=True)
    # The iCalendar UID, fixed at booking for the appointment's whole life (never derived from EMAIL_FROM
    # or PUBLIC_URL, which may change): a random UUID; rows booked before 0013 keep `<uid>@<domain>`.
    ical_uid: Mapped[str] = mapped_column(String(255), server_default=text("gen_random_uuid()::text"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # ends_at plus the service's buffer: the doctor is busy until then.
    blocked_until: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), server_default="booked")
    reason: Mapped[str | None] = mapped_column(Text)
    # Bumped on every change; becomes the iCalendar SEQUENCE.
    sequence: Mapped[int] = mapped_column(Integer, server_default="0")
    # When the current start time was chosen (booking or last move): reminders already due then are skipped.
    scheduled_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    late_cancellation: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The patient's answer to a reminder (clinic.sms.replies): confirmed, or cancelled through that channel.
    confirmed_at: Mapped[datetime | None]
    confirmed_via: Mapped[str | None] = mapped_column(String(16))
    cancelled_via: Mapped[str | None] = mapped_column(String(16))


class AppointmentHistory(Base):
    """Who did what to an appointment, and when."""

    __tablename__ = "appointment_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    old_starts_at: Mapped[datetime | None]
    new_starts_at: Mapped[datetime | None]
    details: Mapped[dict | None] = mapped_column(JSONB)
