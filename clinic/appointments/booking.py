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

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from clinic.appointments import store
from clinic.availability import engine
from clinic.availability.service import Window, hours_by_weekday, overrides_by_day, zone
from clinic.errors import Conflict, NotFound
from clinic.identity.actor import Actor
from clinic.identity.patients import not_a_patient
from clinic.identity.tokens import revoked
from clinic.settings import Settings

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
        return cls(
            row.timezone,
            hours_by_weekday(row.hours),
            row.duration_minutes,
            _literal(row.hours),
            overrides_by_day(row.overrides),
            _literal(row.overrides or ()),
        )

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


def _bookable(row, starts_at: datetime, appointment_id: int | None = None) -> Bookable:
    ends_at = starts_at + timedelta(minutes=row.duration_minutes)
    return Bookable(
        clinic_id=row.clinic_id,
        timezone=row.timezone,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=ends_at + timedelta(minutes=row.buffer_minutes),
        doctor_name=row.doctor_name,
        service_name=row.service_name,
        patient_name=row.patient_name,
        appointment_id=appointment_id,
    )


def check(
    session: Session,
    *,
    doctor_id: int,
    service_id: int,
    patient_id: int,
    starts_at: datetime,
    now: datetime,
    settings: Settings,
) -> Bookable:
    """Validate a start time for a move (the row is then updated by the caller)."""
    check_window(int(starts_at.timestamp()), now, settings)
    row = store.booking_context(
        session, doctor_id=doctor_id, service_id=service_id, patient_id=patient_id, start=starts_at, now=now
    )
    return check_row(row, starts_at)


def book(
    session: Session,
    *,
    doctor_id: int,
    service_id: int,
    patient_id: int,
    starts_at: datetime,
    reason: str | None,
    actor_id: int | None,
    now: datetime,
    settings: Settings,
    caller: Actor | None = None,
) -> Bookable:
    """Validate and insert a booking with its history row and outbox message in one statement.

    Usually one round trip; one more when this process has no current guess of the doctor's grid.
    The `caller`'s account is checked in that statement when the actor says so (`check_in_statement`): a
    revoked one raises 401 before any rule is judged. An overlap raises Conflict (slot_taken /
    patient_busy) from the exclusion constraints; inside a transaction, the caller must then roll back,
    as for any failed statement.
    """
    check_window(int(starts_at.timestamp()), now, settings)
    key = (doctor_id, service_id)
    params = {
        "doctor_id": doctor_id,
        "service_id": service_id,
        "patient_id": patient_id,
        "start": starts_at,
        "reason": reason,
        "actor_id": actor_id,
        "now": now,
    }
    for _ in range(_ATTEMPTS):
        guess = _grids.get(key)
        if guess is None or not guess.offers(starts_at):
            guess = _NO_GUESS
        try:
            row = store.book(
                session,
                {
                    **params,
                    "timezone": guess.timezone,
                    "hours": guess.hours,
                    "overrides": guess.overrides,
                    "duration_minutes": guess.duration_minutes,
                },
                caller,
            )
        except (IntegrityError, OperationalError) as err:
            if conflict := overlap_conflict(err):
                raise conflict from err
            raise
        if not row.account_holds:
            raise revoked()
        if row.appointment_id is not None:
            return _bookable(row, starts_at, row.appointment_id)  # every rule held, in SQL and on the grid it checked
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
