"""Is this start time one the slots endpoint would offer right now? One query answers, whatever the case.

The exclusion constraints stay the last word on overlaps; these checks give the precise 409 for
everything else (working hours, time off, notice, horizon, an unavailable doctor or service).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic.availability import engine
from clinic.availability.service import Window, hours_by_weekday, zone
from clinic.errors import Conflict, NotFound
from clinic.settings import Settings

_CONTEXT_SQL = text("""
SELECT d.active AND s.active AND EXISTS (SELECT 1 FROM doctor_services ds
                                         WHERE ds.doctor_id = d.id AND ds.service_id = s.id) AS available,
       d.clinic_id, c.timezone, s.duration_minutes, s.buffer_minutes,
       ARRAY(SELECT ARRAY[w.weekday, extract(epoch FROM w.start_time)::int, extract(epoch FROM w.end_time)::int]
             FROM working_hours w WHERE w.doctor_id = d.id ORDER BY w.weekday, w.start_time) AS hours,
       EXISTS (SELECT 1 FROM time_off t WHERE t.doctor_id = d.id
               AND t.starts_at < :start + make_interval(mins => s.duration_minutes)
               AND t.ends_at > :start) AS time_off,
       u.full_name AS doctor_name, s.name AS service_name,
       (SELECT p.full_name FROM users p WHERE p.id = :patient_id AND p.role = 'patient') AS patient_name
FROM doctors d JOIN clinics c ON c.id = d.clinic_id JOIN users u ON u.id = d.user_id
     JOIN services s ON s.id = :service_id
WHERE d.id = :doctor_id
""")


@dataclass(frozen=True)
class Bookable:
    clinic_id: int
    timezone: str
    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    doctor_name: str
    service_name: str
    patient_name: str


def check(session: Session, *, doctor_id: int, service_id: int, patient_id: int, starts_at: datetime,
          now: datetime, settings: Settings) -> Bookable:
    """Validate a start time for a booking or a move; raise the 404/409 that says why it cannot be had."""
    row = session.execute(_CONTEXT_SQL, {"doctor_id": doctor_id, "service_id": service_id,
                                         "patient_id": patient_id, "start": starts_at}).first()
    if row is None:
        raise NotFound("No such doctor or service.")
    if row.patient_name is None:
        raise NotFound("No such patient.", fields={"patient_id": "not a patient"})
    if not row.available:
        raise Conflict("This doctor does not offer this service now.", code="doctor_unavailable")
    if row.time_off:
        raise Conflict("The doctor is away at that time.", code="doctor_unavailable")
    t = int(starts_at.timestamp())
    window = Window.at(now, settings)
    if t < window.earliest:
        raise Conflict(f"Appointments need {settings.min_notice_minutes} minutes' notice.", code="too_soon")
    if t > window.latest:
        raise Conflict(f"Appointments can be booked up to {settings.horizon_days} days ahead.", code="too_far")
    tz = zone(row.timezone)
    duration = row.duration_minutes * 60
    day = datetime.fromtimestamp(t, tz).date()
    intervals = engine.local_day_bounds(tz, day, hours_by_weekday(row.hours).get(day.weekday(), []))
    if not engine.is_grid_start(intervals, duration, t):
        raise Conflict("That time is not one of the doctor's slots.", code="outside_working_hours")
    ends_at = starts_at + timedelta(seconds=duration)
    return Bookable(clinic_id=row.clinic_id, timezone=row.timezone, starts_at=starts_at, ends_at=ends_at,
                    blocked_until=ends_at + timedelta(minutes=row.buffer_minutes), doctor_name=row.doctor_name,
                    service_name=row.service_name, patient_name=row.patient_name)


def overlap_conflict(err: IntegrityError) -> Conflict | None:
    """Map the exclusion constraints to their 409; anything else is not ours to explain."""
    constraint = getattr(getattr(err.orig, "diag", None), "constraint_name", None)
    if constraint == "appointments_no_doctor_overlap":
        return Conflict("That time has just been taken.", code="slot_taken")
    if constraint == "appointments_no_patient_overlap":
        return Conflict("The patient already has an appointment at that time.", code="patient_busy")
    return None
