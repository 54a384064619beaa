"""Clinics, services, doctors and when doctors work."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.db import Base, CreatedAt


class Clinic(CreatedAt, Base):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    noshow_processing: Mapped[bool] = mapped_column(Boolean, server_default="true")


class Service(CreatedAt, Base):
    """An appointment type: how long it lasts and how much buffer the doctor needs after it."""

    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration"),
        CheckConstraint("buffer_minutes BETWEEN 0 AND 240", name="buffer"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    buffer_minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    # Minutes before the start at which reminders go out; NULL means the configured default.
    reminder_offsets_minutes: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")


doctor_services = Table(
    "doctor_services",
    Base.metadata,
    Column("doctor_id", ForeignKey("doctors.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Doctor(CreatedAt, Base):
    __tablename__ = "doctors"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    specialty: Mapped[str] = mapped_column(String(120), index=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")

    user = relationship("User", lazy="joined")
    clinic = relationship("Clinic", lazy="joined")
    services = relationship("Service", secondary=doctor_services, lazy="selectin")


class WorkingHours(Base):
    """A weekly wall-clock interval in the clinic's time zone (weekday 0 = Monday)."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("start_time < end_time", name="order"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_time: Mapped[time]
    end_time: Mapped[time]


class DateOverride(Base):
    """A doctor's own hours on one local date, replacing that weekday's hours; NULL times: a day off."""

    __tablename__ = "date_overrides"
    __table_args__ = (
        CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", name="both_or_none"),
        CheckConstraint("start_time < end_time", name="order"),
        Index("ix_date_overrides_doctor_day", "doctor_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id", ondelete="CASCADE"))
    day: Mapped[date]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]


class TimeOff(CreatedAt, Base):
    """An absolute interval when the doctor does not see patients."""

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="order"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DoctorSlotChange(Base):
    """One committed change to a doctor's busy times (appointments, time off), written by triggers only
    (migration 0017). The sum of a doctor's weights is their slots version (clinic/availability/cache.py);
    the scheduler folds each doctor's rows into one. No foreign key: the triggers' inserts take no lock."""

    __tablename__ = "doctor_slot_changes"
    __table_args__ = (Index("ix_doctor_slot_changes_doctor", "doctor_id", postgresql_include=["weight"]),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    doctor_id: Mapped[int] = mapped_column(BigInteger)
    weight: Mapped[int] = mapped_column(BigInteger, server_default="1")
