"""Test data for calendar tests, written straight through the models (the scheduling rules are not under test)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from clinic.appointments.models import Appointment
from clinic.scheduling.models import Clinic, Doctor, Service


def make_clinic(
    db,
    *,
    timezone: str = "Europe/Madrid",
    name: str = "Clínica Sol",
    address: str | None = "Calle Mayor 1, 28013 Madrid",
) -> Clinic:
    clinic = Clinic(name=name, timezone=timezone, address=address)
    db.add(clinic)
    db.flush()
    return clinic


def make_doctor(db, user, clinic) -> Doctor:
    doctor = Doctor(user_id=user.id, clinic_id=clinic.id, specialty="Cardiología")
    db.add(doctor)
    db.flush()
    return doctor


def make_service(db, *, minutes: int = 30) -> Service:
    service = Service(name=f"Consulta {uuid.uuid4().hex[:6]}", duration_minutes=minutes)
    db.add(service)
    db.flush()
    return service


def make_appointment(
    db,
    *,
    doctor,
    patient,
    service,
    starts_at: datetime,
    minutes: int = 30,
    reason: str | None = "dolor torácico",
    status: str = "booked",
    sequence: int = 0,
) -> Appointment:
    appt = Appointment(
        doctor_id=doctor.id,
        patient_id=patient.id,
        service_id=service.id,
        clinic_id=doctor.clinic_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        blocked_until=starts_at + timedelta(minutes=minutes),
        status=status,
        reason=reason,
        sequence=sequence,
    )
    db.add(appt)
    db.flush()
    db.refresh(appt)
    return appt
