"""Factories for record tests: a clinic, doctors, patients and the appointments that link them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from clinic.appointments.models import Appointment
from clinic.scheduling.models import Clinic, Doctor, Service


@pytest.fixture()
def clinic_setup(db):
    clinic = Clinic(name="Clínica Records", timezone="Europe/Madrid")
    service = Service(name="Consulta", duration_minutes=30, buffer_minutes=0)
    db.add_all([clinic, service])
    db.flush()
    return clinic, service


@pytest.fixture()
def make_doctor(db, make_user, clinic_setup):
    clinic, _ = clinic_setup

    def make(**kw):
        user = make_user("doctor", **kw)
        doctor = Doctor(user_id=user.id, clinic_id=clinic.id, specialty="general")
        db.add(doctor)
        db.flush()
        return user, doctor

    return make


@pytest.fixture()
def make_appointment(db, clinic_setup):
    clinic, service = clinic_setup
    counter = {"n": 0}

    def make(doctor: Doctor, patient, *, status: str = "booked", days: int = 3):
        counter["n"] += 1
        start = datetime(2027, 3, 1, 9, tzinfo=timezone.utc) + timedelta(days=days, hours=counter["n"])
        appt = Appointment(
            doctor_id=doctor.id,
            patient_id=patient.id,
            service_id=service.id,
            clinic_id=clinic.id,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            blocked_until=start + timedelta(minutes=30),
            status=status,
        )
        db.add(appt)
        db.flush()
        return appt

    return make


@dataclass
class Cast:
    patient: object
    other_patient: object
    doctor: object  # the treating doctor's user
    doctor_profile: Doctor
    stranger_doctor: object
    receptionist: object
    admin: object
    appointment: Appointment


@pytest.fixture()
def cast(make_user, make_doctor, make_appointment) -> Cast:
    patient = make_user("patient", full_name="Paciente Uno")
    other = make_user("patient", full_name="Paciente Dos")
    doctor, profile = make_doctor(full_name="Dra. Tratante")
    stranger, _ = make_doctor(full_name="Dr. Ajeno")
    appt = make_appointment(profile, patient)
    return Cast(
        patient=patient,
        other_patient=other,
        doctor=doctor,
        doctor_profile=profile,
        stranger_doctor=stranger,
        receptionist=make_user("receptionist"),
        admin=make_user("admin"),
        appointment=appt,
    )
