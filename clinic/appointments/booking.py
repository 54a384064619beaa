"""Is this start time one the slots endpoint would offer right now? And booking it in one round trip.

The exclusion constraints stay the last word on overlaps; these checks give the precise 409 for
everything else (working hours, time off, notice, horizon, an unavailable doctor or service).
The working-hours grid is checked in Python by the same engine that computes the slots, so that a
booking accepts exactly what the slots endpoint offers, DST days included.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from clinic.availability import engine
from clinic.availability.service import Window, hours_by_weekday, zone
from clinic.db import driver_sql, first_row
from clinic.errors import Conflict, NotFound
from clinic.settings import Settings

# Everything the rules need about (doctor, service, patient, start) in one row.
_CONTEXT = """
SELECT d.active AND s.active AND EXISTS (SELECT 1 FROM doctor_services ds
                                         WHERE ds.doctor_id = d.id AND ds.service_id = s.id) AS available,
       d.clinic_id, c.timezone, s.duration_minutes, s.buffer_minutes,
       ARRAY(SELECT ARRAY[w.weekday, extract(epoch FROM w.start_time)::int, extract(epoch FROM w.end_time)::int]
             FROM working_hours w WHERE w.doctor_id = d.id ORDER BY w.weekday, w.start_time) AS hours,
       EXISTS (SELECT 1 FROM time_off t WHERE t.doctor_id = d.id
               AND t.starts_at < CAST(:start AS timestamptz) + make_interval(mins => s.duration_minutes)
               AND t.ends_at > :start) AS time_off,
       u.full_name AS doctor_name, s.name AS service_name,
       (SELECT p.full_name FROM users p WHERE p.id = :patient_id AND p.role = 'patient') AS patient_name
FROM doctors d JOIN clinics c ON c.id = d.clinic_id JOIN users u ON u.id = d.user_id
     JOIN services s ON s.id = :service_id
WHERE d.id = :doctor_id
"""
_CONTEXT_SQL = text(_CONTEXT)

# Context, appointment, history row and outbox message in ONE statement. The insert happens only when
# the SQL-checkable rules hold; the grid is then checked in Python and, in the rare case it fails, the
# row is removed again (see `book`), so no caller can ever commit a booking the rules refuse.
_BOOK_SQL = driver_sql(f"""
WITH ctx AS ({_CONTEXT}),
a AS (
  INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until,
                            reason, created_by, scheduled_at, updated_at)
  SELECT :doctor_id, :patient_id, :service_id, ctx.clinic_id, :start,
         CAST(:start AS timestamptz) + make_interval(mins => ctx.duration_minutes),
         CAST(:start AS timestamptz) + make_interval(mins => ctx.duration_minutes + ctx.buffer_minutes),
         :reason, :actor_id, :now, :now
  FROM ctx WHERE ctx.available AND NOT ctx.time_off AND ctx.patient_name IS NOT NULL
  RETURNING id, starts_at),
h AS (INSERT INTO appointment_history (appointment_id, actor_id, action, at, new_starts_at)
      SELECT id, :actor_id, 'booked', :now, starts_at FROM a),
o AS (INSERT INTO outbox (topic, payload)
      SELECT 'appointment.booked', jsonb_build_object('appointment_id', id) FROM a)
SELECT ctx.*, (SELECT id FROM a) AS appointment_id FROM ctx
""")  # run straight on the driver (clinic.db.first_row): the hottest write path

_UNDO_SQL = text("""
WITH gone AS (DELETE FROM appointments WHERE id = :id RETURNING id)
DELETE FROM outbox WHERE topic = 'appointment.booked' AND payload = jsonb_build_object('appointment_id', :id)
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
    appointment_id: int | None = None


def check_window(t: int, now: datetime, settings: Settings) -> None:
    window = Window.at(now, settings)
    if t < window.earliest:
        raise Conflict(f"Appointments need {settings.min_notice_minutes} minutes' notice.", code="too_soon")
    if t > window.latest:
        raise Conflict(f"Appointments can be booked up to {settings.horizon_days} days ahead.", code="too_far")


def check_row(row, starts_at: datetime) -> Bookable:
    """Apply the rules to the context row; raise the 404/409 that says why the time cannot be had."""
    if row is None:
        raise NotFound("No such doctor or service.")
    if row.patient_name is None:
        raise NotFound("No such patient.", fields={"patient_id": "not a patient"})
    if not row.available:
        raise Conflict("This doctor does not offer this service now.", code="doctor_unavailable")
    if row.time_off:
        raise Conflict("The doctor is away at that time.", code="doctor_unavailable")
    tz = zone(row.timezone)
    t = int(starts_at.timestamp())
    duration = row.duration_minutes * 60
    day = datetime.fromtimestamp(t, tz).date()
    intervals = engine.plan_day(row.timezone, day, hours_by_weekday(row.hours).get(day.weekday(), ())).intervals
    if starts_at.microsecond or not engine.is_grid_start(intervals, duration, t):
        raise Conflict("That time is not one of the doctor's slots.", code="outside_working_hours")
    ends_at = starts_at + timedelta(seconds=duration)
    return Bookable(clinic_id=row.clinic_id, timezone=row.timezone, starts_at=starts_at, ends_at=ends_at,
                    blocked_until=ends_at + timedelta(minutes=row.buffer_minutes), doctor_name=row.doctor_name,
                    service_name=row.service_name, patient_name=row.patient_name)


def check(session: Session, *, doctor_id: int, service_id: int, patient_id: int, starts_at: datetime,
          now: datetime, settings: Settings) -> Bookable:
    """Validate a start time for a move (the row is then updated by the caller)."""
    check_window(int(starts_at.timestamp()), now, settings)
    row = session.execute(_CONTEXT_SQL, {"doctor_id": doctor_id, "service_id": service_id,
                                         "patient_id": patient_id, "start": starts_at}).first()
    return check_row(row, starts_at)


def insert(session: Session, *, doctor_id: int, service_id: int, patient_id: int, starts_at: datetime,
           reason: str | None, actor_id: int | None, now: datetime, settings: Settings) -> Bookable:
    """Validate and insert a booking with its history row and outbox message: one round trip.

    An overlap raises Conflict (slot_taken / patient_busy) from the exclusion constraints; the
    transaction is then aborted and the caller must roll back, as for any failed statement.
    """
    check_window(int(starts_at.timestamp()), now, settings)
    try:
        row = first_row(session, _BOOK_SQL, {"doctor_id": doctor_id, "service_id": service_id,
                                             "patient_id": patient_id, "start": starts_at, "reason": reason,
                                             "actor_id": actor_id, "now": now}, named=True)
    except (IntegrityError, OperationalError) as err:
        raise overlap_conflict(err) or err
    try:
        ok = check_row(row, starts_at)
    except Conflict:
        if row.appointment_id is not None:  # inserted, but not on the grid: take it back
            session.execute(_UNDO_SQL, {"id": row.appointment_id})
        raise
    return Bookable(**{**ok.__dict__, "appointment_id": row.appointment_id})


def overlap_conflict(err: DBAPIError) -> Conflict | None:
    """Map the exclusion constraints to their 409; anything else is not ours to explain.

    Two transactions inserting conflicting rows at the same instant can each find the other's index
    entry and wait on it; PostgreSQL then aborts one as a deadlock. Its rival overlaps it, so the
    honest answer is the same 409.
    """
    if getattr(err.orig, "sqlstate", None) == "40P01":  # deadlock_detected
        return Conflict("That time has just been taken.", code="slot_taken")
    constraint = getattr(getattr(err.orig, "diag", None), "constraint_name", None)
    if constraint == "appointments_no_doctor_overlap":
        return Conflict("That time has just been taken.", code="slot_taken")
    if constraint == "appointments_no_patient_overlap":
        return Conflict("The patient already has an appointment at that time.", code="patient_busy")
    return None
