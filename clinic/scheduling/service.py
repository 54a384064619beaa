"""Clinics, services and doctors: who works where, offering what."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from clinic.errors import Invalid, NotFound
from clinic.identity import service as accounts
from clinic.identity.actor import Actor
from clinic.identity.models import User
from clinic.outbox.service import emit
from clinic.scheduling.models import Clinic, Doctor, Service, WorkingHours, doctor_services
from clinic.topics import Topic


def _zone(name: str) -> str:
    if name not in _zones():
        raise Invalid("Unknown time zone.", fields={"timezone": "must be an IANA time zone, e.g. Europe/Madrid"})
    return name


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


# Clinics ---------------------------------------------------------------------------------------------

def create_clinic(session: Session, *, name: str, timezone: str, address: str | None = None,
                  phone: str | None = None) -> Clinic:
    clinic = Clinic(name=name, timezone=_zone(timezone), address=address, phone=phone)
    session.add(clinic)
    session.flush()
    return clinic


def list_clinics(session: Session) -> list[Clinic]:
    return list(session.scalars(select(Clinic).order_by(Clinic.name, Clinic.id)))


def update_clinic(session: Session, *, clinic_id: int, changes: dict) -> Clinic:
    """Admins: rename, move (address), change the phone or the zone of a clinic (existing UTC times stay)."""
    clinic = session.get(Clinic, clinic_id)
    if clinic is None:
        raise NotFound("No such clinic.")
    if "timezone" in changes:
        changes["timezone"] = _zone(changes["timezone"])
    for key, value in changes.items():
        setattr(clinic, key, value)
    session.flush()
    return clinic


# Services --------------------------------------------------------------------------------------------

def create_service(session: Session, *, name: str, duration_minutes: int, buffer_minutes: int = 0) -> Service:
    service = Service(name=name, duration_minutes=duration_minutes, buffer_minutes=buffer_minutes)
    session.add(service)
    session.flush()
    return service


def list_services(session: Session, *, include_inactive: bool = False) -> list[Service]:
    stmt = select(Service).order_by(Service.name, Service.id)
    if not include_inactive:
        stmt = stmt.where(Service.active.is_(True))
    return list(session.scalars(stmt))


def update_service(session: Session, *, service_id: int, changes: dict) -> Service:
    """Admins: rename, change duration/buffer (future bookings only) or retire a service."""
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound("No such service.")
    for key, value in changes.items():
        setattr(service, key, value)
    session.flush()
    return service


# Doctors ---------------------------------------------------------------------------------------------

@dataclass
class DoctorView:
    id: int
    user_id: int
    full_name: str
    email: str
    specialty: str
    clinic_id: int
    clinic_name: str
    clinic_timezone: str
    active: bool
    service_ids: list[int]


def _doctor_query() -> Select:
    service_ids = (select(func.array_agg(doctor_services.c.service_id))
                   .where(doctor_services.c.doctor_id == Doctor.id).scalar_subquery())
    return (select(Doctor.id, Doctor.user_id, User.full_name, User.email, Doctor.specialty, Doctor.clinic_id,
                   Clinic.name, Clinic.timezone, Doctor.active, service_ids)
            .join(User, User.id == Doctor.user_id).join(Clinic, Clinic.id == Doctor.clinic_id))


def _doctor_views(session: Session, stmt: Select) -> list[DoctorView]:
    return [DoctorView(*row[:-1], service_ids=sorted(row[-1] or [])) for row in session.execute(stmt)]


def list_doctors(session: Session, *, specialty: str | None = None, clinic_id: int | None = None,
                 service_id: int | None = None, include_inactive: bool = False,
                 include_without_hours: bool = False) -> list[DoctorView]:
    """Doctors with their service ids, in one query. Unless `include_without_hours` (staff), a doctor with no
    weekly hours yet is left out: nobody could book them, so patients are not shown them."""
    stmt = _doctor_query().order_by(User.full_name, Doctor.id)
    if not include_inactive:
        stmt = stmt.where(Doctor.active.is_(True))
    if not include_without_hours:
        stmt = stmt.where(select(WorkingHours.id).where(WorkingHours.doctor_id == Doctor.id).exists())
    if specialty:
        stmt = stmt.where(func.lower(Doctor.specialty) == specialty.strip().lower())
    if clinic_id is not None:
        stmt = stmt.where(Doctor.clinic_id == clinic_id)
    if service_id is not None:
        stmt = stmt.where(Doctor.id.in_(select(doctor_services.c.doctor_id)
                                        .where(doctor_services.c.service_id == service_id)))
    return _doctor_views(session, stmt)


def get_doctor(session: Session, *, doctor_id: int) -> DoctorView:
    found = _doctor_views(session, _doctor_query().where(Doctor.id == doctor_id))
    if not found:
        raise NotFound("No such doctor.")
    return found[0]


def doctor_of_user(session: Session, *, user_id: int) -> DoctorView:
    """The doctor profile of a signed-in doctor."""
    found = _doctor_views(session, _doctor_query().where(Doctor.user_id == user_id))
    if not found:
        raise NotFound("No doctor profile for this account.")
    return found[0]


def _check_services(session: Session, service_ids: list[int]) -> list[int]:
    ids = sorted(set(service_ids))
    known = set(session.scalars(select(Service.id).where(Service.id.in_(ids)))) if ids else set()
    missing = [i for i in ids if i not in known]
    if missing:
        raise Invalid(fields={"service_ids": f"unknown service(s): {', '.join(map(str, missing))}"})
    return ids


def _check_clinic(session: Session, clinic_id: int) -> None:
    if session.get(Clinic, clinic_id) is None:
        raise Invalid(fields={"clinic_id": "no such clinic"})


def _set_services(session: Session, doctor_id: int, service_ids: list[int]) -> None:
    session.execute(delete(doctor_services).where(doctor_services.c.doctor_id == doctor_id))
    if service_ids:
        session.execute(insert(doctor_services), [{"doctor_id": doctor_id, "service_id": s} for s in service_ids])


def create_doctor(session: Session, *, email: str, password: str | None, full_name: str, specialty: str,
                  clinic_id: int, service_ids: list[int]) -> DoctorView:
    """Create the doctor's account (role doctor) and profile."""
    _check_clinic(session, clinic_id)
    ids = _check_services(session, service_ids)
    user = accounts.create_user(session, email=email, password=password, full_name=full_name, role="doctor")
    doctor = Doctor(user_id=user.id, clinic_id=clinic_id, specialty=specialty.strip())
    session.add(doctor)
    session.flush()
    _set_services(session, doctor.id, ids)
    return get_doctor(session, doctor_id=doctor.id)


def update_doctor(session: Session, *, doctor_id: int, changes: dict) -> DoctorView:
    """Admins: specialty, clinic, services, active. Deactivating tells the workers to cancel the future."""
    doctor = session.get(Doctor, doctor_id)
    if doctor is None:
        raise NotFound("No such doctor.")
    if "clinic_id" in changes:
        _check_clinic(session, changes["clinic_id"])
        doctor.clinic_id = changes["clinic_id"]
    if "specialty" in changes:
        doctor.specialty = changes["specialty"].strip()
    if "service_ids" in changes:
        _set_services(session, doctor.id, _check_services(session, changes["service_ids"]))
    if "active" in changes and changes["active"] != doctor.active:
        doctor.active = changes["active"]
        if not doctor.active:
            emit(session, Topic.DOCTOR_DEACTIVATED, doctor_id=doctor.id)
    session.flush()
    return get_doctor(session, doctor_id=doctor.id)


def managed_doctor(session: Session, *, actor: Actor, doctor_id: int) -> Doctor:
    """A doctor whose calendar the actor may manage: staff any, a doctor only their own (others: 404)."""
    doctor = session.get(Doctor, doctor_id)
    if doctor is None or not (actor.is_staff or (actor.is_doctor and doctor.user_id == actor.user_id)):
        raise NotFound("No such doctor.")
    return doctor
