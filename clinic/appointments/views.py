"""Read models: appointments with their display fields, in one query however many rows."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from collections.abc import Callable

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session, aliased

from clinic.appointments.models import Appointment, AppointmentHistory
from clinic.availability.service import zone
from clinic.errors import NotFound
from clinic.identity.models import User
from clinic.scheduling.models import Clinic, Doctor, Service

MAX_LIMIT = 500


@dataclass
class AppointmentView:
    id: int
    doctor_id: int
    patient_id: int
    service_id: int
    clinic_id: int
    timezone: str
    starts_at: datetime
    ends_at: datetime
    status: str
    reason: str | None
    sequence: int
    doctor_name: str
    patient_name: str
    service_name: str
    late_cancellation: bool = False
    cancelled_at: datetime | None = None
    cancellation_reason: str | None = None

    def __post_init__(self) -> None:
        # Answer in the clinic's offset, whatever offset the client used.
        tz = zone(self.timezone)
        self.starts_at = self.starts_at.astimezone(tz)
        self.ends_at = self.ends_at.astimezone(tz)
        if self.cancelled_at is not None:
            self.cancelled_at = self.cancelled_at.astimezone(tz)


_DoctorUser = aliased(User)
_Patient = aliased(User)
_NAMES = [f.name for f in fields(AppointmentView)]


def _base() -> Select:
    a = Appointment
    return (select(a.id, a.doctor_id, a.patient_id, a.service_id, a.clinic_id, Clinic.timezone, a.starts_at,
                   a.ends_at, a.status, a.reason, a.sequence, _DoctorUser.full_name, _Patient.full_name, Service.name,
                   a.late_cancellation, a.cancelled_at, a.cancellation_reason)
            .join(Clinic, Clinic.id == a.clinic_id)
            .join(Doctor, Doctor.id == a.doctor_id).join(_DoctorUser, _DoctorUser.id == Doctor.user_id)
            .join(_Patient, _Patient.id == a.patient_id).join(Service, Service.id == a.service_id))


def _views(rows) -> list[AppointmentView]:
    return [AppointmentView(*row) for row in rows]


Scope = Callable[[Select], Select]


def view_of(session: Session, scope: Scope, appointment_id: int) -> AppointmentView:
    """One appointment within the actor's scope, or NotFound."""
    found = _views(session.execute(scope(_base().where(Appointment.id == appointment_id))))
    if not found:
        raise NotFound("No such appointment.")
    return found[0]


def listing(session: Session, scope: Scope, *, first: date | None = None, last: date | None = None,
            doctor_id: int | None = None, patient_id: int | None = None, status: str | None = None,
            limit: int = 100, offset: int = 0) -> list[AppointmentView]:
    """Appointments in start order; dates are read in each appointment's clinic time zone."""
    a = Appointment
    stmt = scope(_base())
    if first is not None:
        stmt = stmt.where(a.starts_at >= text("(CAST(:first AS date)::timestamp AT TIME ZONE clinics.timezone)")
                          .bindparams(first=first))
    if last is not None:
        stmt = stmt.where(a.starts_at < text("(CAST(:last AS date)::timestamp AT TIME ZONE clinics.timezone)")
                          .bindparams(last=last + timedelta(days=1)))
    if doctor_id is not None:
        stmt = stmt.where(a.doctor_id == doctor_id)
    if patient_id is not None:
        stmt = stmt.where(a.patient_id == patient_id)
    if status is not None:
        stmt = stmt.where(a.status == status)
    stmt = stmt.order_by(a.starts_at, a.id).limit(min(limit, MAX_LIMIT)).offset(offset)
    return _views(session.execute(stmt))


def history(session: Session, appointment_id: int, timezone: str) -> list[dict]:
    """Who did what to an appointment, oldest first, times in the clinic's zone."""
    tz = zone(timezone)
    h = AppointmentHistory
    rows = session.execute(select(h.id, h.action, h.at, h.actor_id, User.full_name, User.role, h.old_starts_at,
                                  h.new_starts_at, h.details)
                           .outerjoin(User, User.id == h.actor_id)
                           .where(h.appointment_id == appointment_id).order_by(h.at, h.id))
    return [{"id": r.id, "action": r.action, "at": r.at.astimezone(tz), "actor_id": r.actor_id,
             "actor_name": r.full_name, "actor_role": r.role or "system",
             "old_starts_at": r.old_starts_at.astimezone(tz) if r.old_starts_at else None,
             "new_starts_at": r.new_starts_at.astimezone(tz) if r.new_starts_at else None,
             "details": r.details or {}} for r in rows]
