"""Is this start time one the slots endpoint would offer right now? And booking it in one statement.

The exclusion constraints stay the last word on overlaps; these checks give the precise 409 for
everything else (working hours, time off, notice, horizon, an unavailable doctor or service, a slot
held for another patient on the waitlist: clinic.waitlist).
The working-hours grid is checked in Python by the same engine that computes the slots, so that a
booking accepts exactly what the slots endpoint offers, DST days included.

Booking is optimistic about the grid: the start is checked against the last zone, weekly hours and
length seen for (doctor, service) in this process, and the statement inserts only if the database
still holds exactly those, with every other rule checked in SQL. So one statement decides, atomic
by itself (no BEGIN/COMMIT needed), and nothing is ever inserted that the rules refuse; a missing
or stale guess costs one more round trip.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from clinic.availability import engine
from clinic.availability.service import Window, hours_by_weekday, overrides_by_day, zone
from clinic.db import GUARD, Guard, driver_sql, first_row, with_guard
from clinic.errors import Conflict, NotFound
from clinic.identity.patients import not_a_patient
from clinic.settings import Settings

# Everything the rules need about (doctor, service, patient, start) in one row.
_CONTEXT = """
SELECT d.active AND s.active AND EXISTS (SELECT 1 FROM doctor_services ds
                                         WHERE ds.doctor_id = d.id AND ds.service_id = s.id) AS available,
       d.clinic_id, c.timezone, s.duration_minutes, s.buffer_minutes,
       ARRAY(SELECT ARRAY[w.weekday, extract(epoch FROM w.start_time)::int, extract(epoch FROM w.end_time)::int]
             FROM working_hours w WHERE w.doctor_id = d.id ORDER BY w.weekday, w.start_time) AS hours,
       ARRAY(SELECT ARRAY[o.day - DATE '1970-01-01', coalesce(extract(epoch FROM o.start_time)::int, -1),
                          coalesce(extract(epoch FROM o.end_time)::int, -1)]
             FROM date_overrides o WHERE o.doctor_id = d.id
               AND o.day BETWEEN CAST(CAST(:start AS timestamptz) AT TIME ZONE 'UTC' AS date) - 1
                             AND CAST(CAST(:start AS timestamptz) AT TIME ZONE 'UTC' AS date) + 1
             ORDER BY o.day, o.start_time) AS overrides,
       EXISTS (SELECT 1 FROM time_off t WHERE t.doctor_id = d.id
               AND t.starts_at < CAST(:start AS timestamptz) + make_interval(mins => s.duration_minutes)
               AND t.ends_at > :start) AS time_off,
       EXISTS (SELECT 1 FROM slot_holds h WHERE h.doctor_id = d.id AND h.status = 'active'
               AND h.starts_at > CAST(:start AS timestamptz) - interval '1 day'
               AND h.starts_at < CAST(:start AS timestamptz) + make_interval(mins => s.duration_minutes
                                                                                     + s.buffer_minutes)
               AND h.blocked_until > :start AND h.expires_at > :now AND h.patient_id <> :patient_id) AS held,
       u.full_name AS doctor_name, s.name AS service_name,
       (SELECT p.full_name FROM users p WHERE p.id = :patient_id AND p.role = 'patient') AS patient_name
FROM doctors d JOIN clinics c ON c.id = d.clinic_id JOIN users u ON u.id = d.user_id
     JOIN services s ON s.id = :service_id
WHERE d.id = :doctor_id
"""
_CONTEXT_SQL = text(_CONTEXT)

# Context, appointment, history row and outbox message in ONE statement. The insert happens only when
# the caller's guard holds (see clinic.db.Guard; TRUE without one), the SQL-checkable rules hold and the
# grid the start was checked against (zone, hours, length) is the current one; a NULL :timezone (no
# guess) only fetches the context. Always one row: the guard's verdict, then the context (NULLs when
# there is no such doctor or service).
_BOOK = driver_sql(f"""
WITH guard AS (SELECT {GUARD} AS held),
ctx AS ({_CONTEXT}),
a AS (
  INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until,
                            reason, created_by, scheduled_at, updated_at)
  SELECT :doctor_id, :patient_id, :service_id, ctx.clinic_id, :start,
         CAST(:start AS timestamptz) + make_interval(mins => ctx.duration_minutes),
         CAST(:start AS timestamptz) + make_interval(mins => ctx.duration_minutes + ctx.buffer_minutes),
         :reason, :actor_id, :now, :now
  FROM ctx, guard WHERE guard.held AND ctx.available AND NOT ctx.time_off AND NOT ctx.held
             AND ctx.patient_name IS NOT NULL
             AND ctx.timezone = :timezone AND ctx.duration_minutes = :duration_minutes
             AND ctx.hours = CAST(:hours AS int[]) AND ctx.overrides = CAST(:overrides AS int[])
  RETURNING id, starts_at),
h AS (INSERT INTO appointment_history (appointment_id, actor_id, action, at, new_starts_at)
      SELECT id, :actor_id, 'booked', :now, starts_at FROM a),
o AS (INSERT INTO outbox (topic, payload)
      SELECT 'appointment.booked', jsonb_build_object('appointment_id', id) FROM a)
SELECT guard.held, ctx.available, ctx.clinic_id, ctx.timezone, ctx.duration_minutes, ctx.buffer_minutes,
       ctx.hours, ctx.overrides, ctx.time_off, ctx.held, ctx.doctor_name, ctx.service_name, ctx.patient_name, (SELECT id FROM a)
FROM guard LEFT JOIN ctx ON TRUE
""")  # run straight on the driver (clinic.db.first_row): the hottest write path


class _BookRow(NamedTuple):
    """The booking statement's row, by position (cheaper than asking the driver for column names)."""
    guard_held: bool
    available: bool | None
    clinic_id: int | None
    timezone: str | None
    duration_minutes: int | None
    buffer_minutes: int | None
    hours: list | None
    overrides: list | None
    time_off: bool | None
    held: bool | None
    doctor_name: str | None
    service_name: str | None
    patient_name: str | None
    appointment_id: int | None


_ATTEMPTS = 3  # a guess, the fresh grid, and once more should the hours change in between
_GRID_CACHE_SIZE = 10_000


def _literal(rows) -> str:
    return "{%s}" % ",".join("{%d,%d,%d}" % tuple(h) for h in rows)


class Grid(NamedTuple):
    """What the working-hours check needs about (doctor, service): the clinic's zone, hours, length, and
    the date overrides around the start (the day before to the day after, in UTC dates)."""
    timezone: str
    weekly: dict[int, tuple[tuple[int, int], ...]]  # weekday -> (start, end) seconds after local midnight
    duration_minutes: int
    hours: str  # the context query's `hours` as an array literal, which the statement compares
    own: dict  # local date -> its hours (an empty tuple: a day off)
    overrides: str  # the context query's `overrides` as an array literal, compared likewise

    @classmethod
    def of(cls, row) -> "Grid":
        return cls(row.timezone, hours_by_weekday(row.hours), row.duration_minutes, _literal(row.hours),
                   overrides_by_day(row.overrides), _literal(row.overrides or ()))

    def offers(self, starts_at: datetime) -> bool:
        """Whether starts_at is a slot start of this grid (notice, horizon and the rest aside)."""
        t = int(starts_at.timestamp())
        day = datetime.fromtimestamp(t, zone(self.timezone)).date()
        hours = self.own[day] if day in self.own else self.weekly.get(day.weekday(), ())
        intervals = engine.plan_day(self.timezone, day, hours).intervals
        return not starts_at.microsecond and engine.is_grid_start(intervals, self.duration_minutes * 60, t)


# The last grid seen per (doctor_id, service_id): only a guess, which the booking statement verifies.
_grids: dict[tuple[int, int], Grid] = {}
_NO_GUESS = Grid(None, {}, None, None, {}, None)  # matches nothing: the statement only fetches the context


def _remember(key: tuple[int, int], grid: Grid) -> Grid:
    if len(_grids) >= _GRID_CACHE_SIZE:
        _grids.clear()
    _grids[key] = grid
    return grid


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


def check_row(row, starts_at: datetime, grid: Grid | None = None) -> Bookable:
    """Apply the rules to the context row (whose grid the caller may have built already); raise the
    404/409 that says why the time cannot be had."""
    if row is None or row.clinic_id is None:
        raise NotFound("No such doctor or service.")
    if row.patient_name is None:
        raise not_a_patient()
    if not row.available:
        raise Conflict("This doctor does not offer this service now.", code="doctor_unavailable")
    if row.time_off:
        raise Conflict("The doctor is away at that time.", code="doctor_unavailable")
    if not (grid or Grid.of(row)).offers(starts_at):
        raise Conflict("That time is not one of the doctor's slots.", code="outside_working_hours")
    if row.held:
        raise Conflict("That time is being held for a patient on the waitlist.", code="slot_held")
    return _bookable(row, starts_at)


def _bookable(row, starts_at: datetime) -> Bookable:
    ends_at = starts_at + timedelta(minutes=row.duration_minutes)
    return Bookable(clinic_id=row.clinic_id, timezone=row.timezone, starts_at=starts_at, ends_at=ends_at,
                    blocked_until=ends_at + timedelta(minutes=row.buffer_minutes), doctor_name=row.doctor_name,
                    service_name=row.service_name, patient_name=row.patient_name,
                    appointment_id=getattr(row, "appointment_id", None))


def check(session: Session, *, doctor_id: int, service_id: int, patient_id: int, starts_at: datetime,
          now: datetime, settings: Settings) -> Bookable:
    """Validate a start time for a move (the row is then updated by the caller)."""
    check_window(int(starts_at.timestamp()), now, settings)
    row = session.execute(_CONTEXT_SQL, {"doctor_id": doctor_id, "service_id": service_id,
                                         "patient_id": patient_id, "start": starts_at, "now": now}).first()
    return check_row(row, starts_at)


def insert(session: Session, *, doctor_id: int, service_id: int, patient_id: int, starts_at: datetime,
           reason: str | None, actor_id: int | None, now: datetime, settings: Settings,
           guard: Guard | None = None) -> Bookable:
    """Validate and insert a booking with its history row and outbox message in one statement.

    Usually one round trip; one more when this process has no current guess of the doctor's grid.
    A `guard` that does not hold raises its refusal before any rule is judged. An overlap raises
    Conflict (slot_taken / patient_busy) from the exclusion constraints; inside a transaction, the
    caller must then roll back, as for any failed statement.
    """
    check_window(int(starts_at.timestamp()), now, settings)
    key = (doctor_id, service_id)
    sql, params = with_guard(_BOOK, {"doctor_id": doctor_id, "service_id": service_id, "patient_id": patient_id,
                                      "start": starts_at, "reason": reason, "actor_id": actor_id, "now": now}, guard)
    for _ in range(_ATTEMPTS):
        guess = _grids.get(key)
        if guess is None or not guess.offers(starts_at):
            guess = _NO_GUESS
        try:
            row = _BookRow._make(first_row(session, sql, {**params, "timezone": guess.timezone, "hours": guess.hours,
                                                          "overrides": guess.overrides,
                                                          "duration_minutes": guess.duration_minutes}))
        except (IntegrityError, OperationalError) as err:
            if conflict := overlap_conflict(err):
                raise conflict from err
            raise
        if not row.guard_held:
            raise guard.refusal
        if row.appointment_id is not None:
            return _bookable(row, starts_at)  # every rule held, in SQL and on the grid it checked
        grid = _remember(key, Grid.of(row)) if row.clinic_id is not None else None
        check_row(row, starts_at, grid)  # raises the 404/409 that says why, judged on the fresh context
    raise Conflict("The doctor's schedule is changing; please try again.", code="doctor_unavailable")


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
