"""Clinics, services and doctors: who works where, offering what."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from clinic.clock import utcnow
from clinic.errors import Invalid, NotFound
from clinic.identity import resets
from clinic.identity import service as accounts
from clinic.identity.actor import Actor
from clinic.outbox.service import emit
from clinic.scheduling import store
from clinic.scheduling.models import Clinic, Doctor, Service
from clinic.scheduling.store import DoctorView
from clinic.topics import Topic


def _zone(name: str) -> str:
    if name not in _zones():
        raise Invalid("Unknown time zone.", fields={"timezone": "must be an IANA time zone, e.g. Europe/Madrid"})
    return name


@cache
def _zones() -> frozenset[str]:
    """The zones a clinic may be in: IANA's "Area/Place" names and UTC. Not the host's `localtime`, `Factory`
    or POSIX-rule names (`EST5EDT`), which browsers cannot format dates in."""
    return frozenset(
        name
        for name in available_timezones()
        if name == "UTC" or ("/" in name and not name.startswith(("Etc/", "posix/", "right/", "SystemV/")))
    )


# Clinics ---------------------------------------------------------------------------------------------


def create_clinic(
    session: Session, *, name: str, timezone: str, address: str | None = None, phone: str | None = None
) -> Clinic:
    clinic = Clinic(name=name, timezone=_zone(timezone), address=address, phone=phone)
    session.add(clinic)
    session.flush()
    return clinic


def list_clinics(session: Session) -> list[Clinic]:
    return store.clinics(session)


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
    return store.services(session, include_inactive=include_inactive)


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


def list_doctors(
    session: Session,
    *,
    specialty: str | None = None,
    clinic_id: int | None = None,
    service_id: int | None = None,
    include_inactive: bool = False,
    include_without_hours: bool = False,
) -> list[DoctorView]:
    """Doctors with their service ids, in one query. Unless `include_without_hours` (staff), a doctor with no
    weekly hours yet is left out: nobody could book them, so patients are not shown them."""
    return store.doctors(
        session,
        active_only=not include_inactive,
        with_hours_only=not include_without_hours,
        specialty=specialty.strip().lower() if specialty else None,
        clinic_id=clinic_id,
        service_id=service_id,
    )


def get_doctor(session: Session, *, doctor_id: int) -> DoctorView:
    found = store.doctors(session, doctor_id=doctor_id)
    if not found:
        raise NotFound("No such doctor.")
    return found[0]


def doctor_of_user(session: Session, *, user_id: int) -> DoctorView:
    """The doctor profile of a signed-in doctor."""
    found = store.doctors(session, user_id=user_id)
    if not found:
        raise NotFound("No doctor profile for this account.")
    return found[0]


def clinic_of_doctor(session: Session, *, doctor_id: int) -> int | None:
    """The id of the clinic the doctor works at (None: no such doctor)."""
    return store.clinic_of_doctor(session, doctor_id)


def _check_services(session: Session, service_ids: list[int]) -> list[int]:
    ids = sorted(set(service_ids))
    known = store.known_service_ids(session, ids) if ids else set()
    missing = [i for i in ids if i not in known]
    if missing:
        raise Invalid(fields={"service_ids": f"unknown service(s): {', '.join(map(str, missing))}"})
    return ids


def _check_clinic(session: Session, clinic_id: int) -> None:
    if session.get(Clinic, clinic_id) is None:
        raise Invalid(fields={"clinic_id": "no such clinic"})


def create_doctor(
    session: Session,
    *,
    email: str,
    password: str | None,
    full_name: str,
    specialty: str,
    clinic_id: int,
    service_ids: list[int],
    invite_secret: str | None = None,
    now: datetime | None = None,
) -> DoctorView:
    """Create the doctor's account (role doctor) and profile. Without a password, and given the secret that
    signs the links, the doctor is invited: emailed a link that sets it (clinic.identity.resets.invite)."""
    _check_clinic(session, clinic_id)
    ids = _check_services(session, service_ids)
    user = accounts.create_user(session, email=email, password=password, full_name=full_name, role="doctor")
    doctor = Doctor(user_id=user.id, clinic_id=clinic_id, specialty=specialty.strip())
    session.add(doctor)
    session.flush()
    store.set_doctor_services(session, doctor_id=doctor.id, service_ids=ids)
    if password is None and invite_secret is not None:
        resets.invite(session, user=user, secret=invite_secret, now=now or utcnow())
    return get_doctor(session, doctor_id=doctor.id)


def update_doctor(session: Session, *, doctor_id: int, changes: dict) -> DoctorView:
    """Admins: specialty, clinic, services, active. Deactivating tells the workers to cancel the future
    (clinic.appointments.cascades)."""
    doctor = session.get(Doctor, doctor_id)
    if doctor is None:
        raise NotFound("No such doctor.")
    if "clinic_id" in changes:
        _check_clinic(session, changes["clinic_id"])
        doctor.clinic_id = changes["clinic_id"]
    if "specialty" in changes:
        doctor.specialty = changes["specialty"].strip()
    if "service_ids" in changes:
        store.set_doctor_services(
            session, doctor_id=doctor.id, service_ids=_check_services(session, changes["service_ids"])
        )
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
