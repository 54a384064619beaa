"""The scheduling domain's SQL: clinics, services, doctors, weekly hours, date overrides, time off, and the
appointments a time off or a deactivation cancels.

Raw statements use psycopg's `%(name)s` placeholders and run through the platform helpers (clinic/db.py) on
the session's own connection and transaction; rows that the ORM owns (a clinic, a service, weekly hours)
come back as ORM objects. Only this module writes SQL for scheduling; the rules (service.py, calendar.py,
appointments/cascades.py) call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clinic.db import execute, fetch_all, fetch_value
from clinic.scheduling.models import Clinic, DateOverride, Service, TimeOff, WorkingHours

# Clinics and services -------------------------------------------------------------------------------


def clinics(session: Session) -> list[Clinic]:
    return list(session.scalars(select(Clinic).order_by(Clinic.name, Clinic.id)))


def services(session: Session, *, include_inactive: bool) -> list[Service]:
    stmt = select(Service).order_by(Service.name, Service.id)
    if not include_inactive:
        stmt = stmt.where(Service.active.is_(True))
    return list(session.scalars(stmt))


def known_service_ids(session: Session, ids: list[int]) -> set[int]:
    """Which of `ids` name a service."""
    return {row.id for row in fetch_all(session, "SELECT id FROM services WHERE id = ANY(%(ids)s)", {"ids": ids})}


# Doctors --------------------------------------------------------------------------------------------


@dataclass
class DoctorView:
    """A doctor as listed and shown: their account's name and email, their clinic, their service ids."""

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


_DOCTORS = """
SELECT d.id, d.user_id, u.full_name, u.email, d.specialty, d.clinic_id, c.name AS clinic_name,
       c.timezone AS clinic_timezone, d.active,
       (SELECT array_agg(ds.service_id) FROM doctor_services ds WHERE ds.doctor_id = d.id) AS service_ids
FROM doctors d JOIN users u ON u.id = d.user_id JOIN clinics c ON c.id = d.clinic_id
WHERE TRUE"""

# Each filter of `doctors`, ANDed in when its argument is given.
_ACTIVE = " AND d.active"
_WITH_HOURS = " AND EXISTS (SELECT 1 FROM working_hours w WHERE w.doctor_id = d.id)"
_SPECIALTY = " AND lower(d.specialty) = %(specialty)s"
_CLINIC = " AND d.clinic_id = %(clinic_id)s"
_SERVICE = " AND d.id IN (SELECT ds.doctor_id FROM doctor_services ds WHERE ds.service_id = %(service_id)s)"
_DOCTOR = " AND d.id = %(doctor_id)s"
_USER = " AND d.user_id = %(user_id)s"


def doctors(
    session: Session,
    *,
    active_only: bool = False,
    with_hours_only: bool = False,
    specialty: str | None = None,
    clinic_id: int | None = None,
    service_id: int | None = None,
    doctor_id: int | None = None,
    user_id: int | None = None,
) -> list[DoctorView]:
    """Doctors matching every filter given (`specialty` lower-cased already), by name, in one query."""
    sql = _DOCTORS
    if active_only:
        sql += _ACTIVE
    if with_hours_only:
        sql += _WITH_HOURS
    if specialty is not None:
        sql += _SPECIALTY
    if clinic_id is not None:
        sql += _CLINIC
    if service_id is not None:
        sql += _SERVICE
    if doctor_id is not None:
        sql += _DOCTOR
    if user_id is not None:
        sql += _USER
    rows = fetch_all(
        session,
        sql + " ORDER BY u.full_name, d.id",
        {
            "specialty": specialty,
            "clinic_id": clinic_id,
            "service_id": service_id,
            "doctor_id": doctor_id,
            "user_id": user_id,
        },
    )
    return [DoctorView(*row[:-1], service_ids=sorted(row.service_ids or [])) for row in rows]


def set_doctor_services(session: Session, *, doctor_id: int, service_ids: list[int]) -> None:
    """The doctor offers exactly `service_ids` (known services) from now on."""
    execute(session, "DELETE FROM doctor_services WHERE doctor_id = %(d)s", {"d": doctor_id})
    if service_ids:
        execute(
            session,
            "INSERT INTO doctor_services (doctor_id, service_id) SELECT %(d)s, unnest(%(s)s)",
            {"d": doctor_id, "s": service_ids},
        )


def doctor_active(session: Session, doctor_id: int) -> bool | None:
    """Whether the doctor is active now (None: no such doctor)."""
    return fetch_value(session, "SELECT active FROM doctors WHERE id = %(d)s", {"d": doctor_id})


def clinic_of_doctor(session: Session, doctor_id: int) -> int | None:
    return fetch_value(session, "SELECT clinic_id FROM doctors WHERE id = %(d)s", {"d": doctor_id})


# Weekly hours, date overrides, time off ------------------------------------------------------------


def working_hours(session: Session, *, doctor_id: int) -> list[WorkingHours]:
    return list(
        session.scalars(
            select(WorkingHours)
            .where(WorkingHours.doctor_id == doctor_id)
            .order_by(WorkingHours.weekday, WorkingHours.start_time)
        )
    )


def delete_working_hours(session: Session, *, doctor_id: int) -> None:
    session.execute(delete(WorkingHours).where(WorkingHours.doctor_id == doctor_id))


def overrides(session: Session, *, doctor_id: int, since: date | None = None) -> list[DateOverride]:
    """The doctor's date-override rows (from `since` on) by date, then start."""
    stmt = select(DateOverride).where(DateOverride.doctor_id == doctor_id)
    if since is not None:
        stmt = stmt.where(DateOverride.day >= since)
    return list(session.scalars(stmt.order_by(DateOverride.day, DateOverride.start_time)))


def delete_overrides(session: Session, *, doctor_id: int, day: date) -> int:
    """Remove the doctor's override of `day`; how many rows it had."""
    return session.execute(
        delete(DateOverride).where(DateOverride.doctor_id == doctor_id, DateOverride.day == day)
    ).rowcount


def time_off(session: Session, *, doctor_id: int, since: datetime | None = None) -> list[TimeOff]:
    """The doctor's time off in start order (only what ends after `since`, when given)."""
    stmt = select(TimeOff).where(TimeOff.doctor_id == doctor_id).order_by(TimeOff.starts_at)
    if since is not None:
        stmt = stmt.where(TimeOff.ends_at > since)
    return list(session.scalars(stmt))


def delete_time_off(session: Session, *, doctor_id: int, time_off_id: int) -> int:
    """Remove one of the doctor's time-off periods; how many rows went (0: not theirs, or no such period)."""
    return execute(
        session, "DELETE FROM time_off WHERE id = %(id)s AND doctor_id = %(d)s", {"id": time_off_id, "d": doctor_id}
    )


# Appointments that time off or a deactivation cancels ---------------------------------------------


def booked_overlapping(session: Session, *, doctor_id: int, starts_at: datetime, ends_at: datetime) -> list[int]:
    """Ids of the doctor's booked appointments overlapping [starts_at, ends_at), in start order."""
    return [
        row.id
        for row in fetch_all(
            session,
            """
        SELECT id FROM appointments
        WHERE doctor_id = %(d)s AND status = 'booked' AND starts_at < %(e)s AND ends_at > %(s)s
        ORDER BY starts_at""",
            {"d": doctor_id, "s": starts_at, "e": ends_at},
        )
    ]


def booked_after(
    session: Session, *, now: datetime, ids: list[int] | None = None, doctor_id: int | None = None
) -> list[int]:
    """Of the appointments `ids` (or else every one of `doctor_id`), those still booked that start after
    `now`, in start order."""
    if ids is not None:
        which, params = "id = ANY(%(ids)s)", {"ids": ids}
    else:
        which, params = "doctor_id = %(d)s", {"d": doctor_id}
    return [
        row.id
        for row in fetch_all(
            session,
            f"""
        SELECT id FROM appointments WHERE {which} AND status = 'booked' AND starts_at > %(now)s
        ORDER BY starts_at""",
            {**params, "now": now},
        )
    ]


def lock_appointment_status(session: Session, appointment_id: int) -> str | None:
    """The appointment's status, its row locked until the transaction ends (None: no such appointment)."""
    return fetch_value(session, "SELECT status FROM appointments WHERE id = %(id)s FOR UPDATE", {"id": appointment_id})
