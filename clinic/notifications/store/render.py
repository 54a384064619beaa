"""What deciding and composing an email reads, at the moment it is decided or sent: the appointments
(with every display field in one query however many), a waitlist offer's hold and patient, an account's
user, a doctor's agenda for a day, the patient of an appointment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from clinic.appointments.models import Appointment
from clinic.db import Row, fetch_all, fetch_one, fetch_value
from clinic.identity.models import User
from clinic.scheduling.models import Clinic, Doctor, Service

_Patient = aliased(User)
_DoctorUser = aliased(User)
_VIEWS = (
    select(
        Appointment.id,
        Appointment.status,
        Appointment.starts_at,
        Appointment.sequence,
        Appointment.cancellation_reason,
        _Patient.full_name,
        _Patient.email,
        _Patient.locale,
        Clinic.timezone,
        Clinic.name,
        Clinic.address,
        _DoctorUser.full_name,
        Service.name,
        Appointment.doctor_id,
        Appointment.service_id,
        Appointment.ends_at,
        _Patient.shadow,
    )
    .join(_Patient, _Patient.id == Appointment.patient_id)
    .join(Clinic, Clinic.id == Appointment.clinic_id)
    .join(Doctor, Doctor.id == Appointment.doctor_id)
    .join(_DoctorUser, _DoctorUser.id == Doctor.user_id)
    .join(Service, Service.id == Appointment.service_id)
)


def appointment_views(session: Session, *, ids: Iterable[int]) -> dict[int, tuple]:
    """By appointment id: `(id, status, starts_at, sequence, cancellation_reason, patient name, patient email,
    patient locale, zone, clinic name, clinic address, doctor name, service name, doctor_id, service_id,
    ends_at, patient is a shadow account)`."""
    return {row[0]: tuple(row) for row in session.execute(_VIEWS.where(Appointment.id.in_(list(ids))))}


_OFFERED = """
    SELECT h.starts_at, h.expires_at, u.full_name, u.email, u.locale, u.shadow FROM slot_holds h
    JOIN users u ON u.id = h.patient_id
    WHERE h.id = %(id)s AND h.status = 'active' AND h.expires_at > %(now)s"""


def live_offer(session: Session, *, hold_id: int, now: datetime) -> Row | None:
    """A hold still active at `now`: `(starts_at, expires_at, full_name, email, locale, shadow)` of its slot
    and patient."""
    return fetch_one(session, _OFFERED, {"id": hold_id, "now": now})


_ACCOUNT = "SELECT email, full_name, locale, email_verified_at, shadow, is_active FROM users WHERE id = %(id)s"


def account(session: Session, *, user_id: int) -> Row | None:
    """What an account email needs of its user."""
    return fetch_one(session, _ACCOUNT, {"id": user_id})


_AGENDA_DOCTOR = """
    SELECT u.full_name, u.email, u.locale, c.timezone FROM doctors d JOIN users u ON u.id = d.user_id
    JOIN clinics c ON c.id = d.clinic_id WHERE d.id = %(id)s"""
_AGENDA = """
    SELECT a.starts_at, p.full_name, s.name FROM appointments a JOIN users p ON p.id = a.patient_id
    JOIN services s ON s.id = a.service_id WHERE a.doctor_id = %(d)s AND a.status <> 'cancelled'
    AND a.starts_at >= %(start)s AND a.starts_at < %(end)s ORDER BY a.starts_at"""


def agenda_doctor(session: Session, *, doctor_id: int) -> Row | None:
    """`(full_name, email, locale, timezone)` of a doctor and their clinic."""
    return fetch_one(session, _AGENDA_DOCTOR, {"id": doctor_id})


def agenda(session: Session, *, doctor_id: int, start: datetime, end: datetime) -> list[tuple]:
    """`(starts_at, patient name, service name)` of the doctor's appointments (not cancelled) starting in
    [start, end), in start order."""
    return [tuple(r) for r in fetch_all(session, _AGENDA, {"d": doctor_id, "start": start, "end": end})]


_PATIENT_OF = "SELECT patient_id FROM appointments WHERE id = %(id)s"


def patient_of(session: Session, *, appointment_id: int) -> int | None:
    return fetch_value(session, _PATIENT_OF, {"id": appointment_id})
