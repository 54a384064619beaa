"""Test data for scheduling and appointments: a clinic, services, a doctor with weekly hours."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from clinic.appointments.models import Appointment
from clinic.scheduling import service as scheduling
from clinic.scheduling.calendar import Interval, replace_working_hours
from clinic.scheduling.models import Doctor
from tests.conftest import PASSWORD

WEEKDAYS = range(7)
MORNING_AFTERNOON = [(time(9), time(13)), (time(15), time(19))]


@dataclass
class Setup:
    clinic_id: int
    timezone: str
    doctor: Doctor
    service_id: int  # 30 minutes, no buffer
    long_service_id: int  # 45 minutes, 15 minutes of buffer

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def at(self, day: date, hh: int, mm: int = 0) -> datetime:
        """A local wall time of the clinic as an aware datetime."""
        return datetime.combine(day, time(hh, mm), tzinfo=self.tz)


def make_doctor(
    db,
    *,
    timezone_name: str = "Europe/Madrid",
    hours=MORNING_AFTERNOON,
    weekdays=WEEKDAYS,
    specialty: str = "Cardiología",
) -> Setup:
    clinic = scheduling.create_clinic(
        db, name=f"Clínica {uuid.uuid4().hex[:6]}", timezone=timezone_name, address="Calle Mayor 1"
    )
    short = scheduling.create_service(db, name="Consulta", duration_minutes=30)
    long = scheduling.create_service(db, name="Revisión", duration_minutes=45, buffer_minutes=15)
    view = scheduling.create_doctor(
        db,
        email=f"dr-{uuid.uuid4().hex[:10]}@example.com",
        password=PASSWORD,
        full_name="Dra. Test",
        specialty=specialty,
        clinic_id=clinic.id,
        service_ids=[short.id, long.id],
    )
    doctor = db.get(Doctor, view.id)
    replace_working_hours(db, doctor=doctor, intervals=[Interval(d, s, e) for d in weekdays for s, e in hours])
    db.flush()
    return Setup(
        clinic_id=clinic.id, timezone=timezone_name, doctor=doctor, service_id=short.id, long_service_id=long.id
    )


def future_day(days: int = 14) -> date:
    """A date comfortably inside notice and horizon."""
    return (datetime.now(timezone.utc) + timedelta(days=days)).date()


def add_appointment(
    db,
    setup: Setup,
    patient_id: int,
    starts_at: datetime,
    *,
    minutes: int = 30,
    buffer: int = 0,
    status: str = "booked",
    service_id: int | None = None,
) -> Appointment:
    """Insert an appointment directly (past ones, or ones inside the cutoff), bypassing the booking rules."""
    appointment = Appointment(
        doctor_id=setup.doctor.id,
        patient_id=patient_id,
        service_id=service_id or setup.service_id,
        clinic_id=setup.clinic_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        blocked_until=starts_at + timedelta(minutes=minutes + buffer),
        status=status,
    )
    db.add(appointment)
    db.flush()
    return appointment
