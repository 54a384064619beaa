"""When a doctor works: weekly hours (wall clock, clinic zone) and time off (absolute intervals)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from clinic.errors import Invalid, NotFound
from clinic.identity.actor import SYSTEM, Actor
from clinic.outbox.service import emit
from clinic.scheduling import store
from clinic.scheduling.models import DateOverride, Doctor, TimeOff, WorkingHours
from clinic.topics import Topic


@dataclass(frozen=True)
class Interval:
    weekday: int
    start: time
    end: time


def list_working_hours(session: Session, *, doctor_id: int) -> list[WorkingHours]:
    return store.working_hours(session, doctor_id=doctor_id)


def replace_working_hours(session: Session, *, doctor: Doctor, intervals: list[Interval]) -> list[WorkingHours]:
    """Replace the doctor's weekly hours; intervals of one weekday must not overlap. Existing bookings stay."""
    ordered = sorted(intervals, key=lambda i: (i.weekday, i.start))
    for index, item in enumerate(ordered):
        if not 0 <= item.weekday <= 6:
            raise Invalid(fields={f"{index}.weekday": "must be 0 (Monday) to 6 (Sunday)"})
        if item.start >= item.end:
            raise Invalid("Each interval must end after it starts.", fields={f"{index}.end": "must be after start"})
        if index and ordered[index - 1].weekday == item.weekday and ordered[index - 1].end > item.start:
            raise Invalid("Intervals of the same day overlap.", fields={f"{index}.start": "overlaps another interval"})
    store.delete_working_hours(session, doctor_id=doctor.id)
    rows = [WorkingHours(doctor_id=doctor.id, weekday=i.weekday, start_time=i.start, end_time=i.end) for i in ordered]
    session.add_all(rows)
    session.flush()
    return rows


@dataclass(frozen=True)
class DayHours:
    """A date override: the hours of one local date (no ranges: a day off)."""

    day: date
    ranges: list[tuple[time, time]]


def _check_ranges(ranges: list[tuple[time, time]], field: str) -> list[tuple[time, time]]:
    ordered = sorted(ranges)
    for index, (start, end) in enumerate(ordered):
        if start >= end:
            raise Invalid(
                "Each interval must end after it starts.", fields={f"{field}.{index}.end": "must be after start"}
            )
        if index and ordered[index - 1][1] > start:
            raise Invalid(
                "Intervals of the same day overlap.", fields={f"{field}.{index}.start": "overlaps another interval"}
            )
    return ordered


def list_overrides(session: Session, *, doctor_id: int, since: date | None = None) -> list[DayHours]:
    """The doctor's date overrides in date order (from `since` on)."""
    out: dict[date, list[tuple[time, time]]] = {}
    for row in store.overrides(session, doctor_id=doctor_id, since=since):
        ranges = out.setdefault(row.day, [])
        if row.start_time is not None:
            ranges.append((row.start_time, row.end_time))
    return [DayHours(day, ranges) for day, ranges in out.items()]


def set_override(session: Session, *, doctor: Doctor, day: date, ranges: list[tuple[time, time]]) -> DayHours:
    """Replace one local date's hours with `ranges` (none: the doctor does not work that date). Existing
    bookings stay, as with the weekly hours."""
    ordered = _check_ranges(ranges, "ranges")
    store.delete_overrides(session, doctor_id=doctor.id, day=day)
    rows = [DateOverride(doctor_id=doctor.id, day=day, start_time=s, end_time=e) for s, e in ordered]
    session.add_all(rows or [DateOverride(doctor_id=doctor.id, day=day)])
    session.flush()
    return DayHours(day, ordered)


def remove_override(session: Session, *, doctor: Doctor, day: date) -> None:
    """Back to the weekly hours on that date."""
    if not store.delete_overrides(session, doctor_id=doctor.id, day=day):
        raise NotFound("No override on that date.")
    session.flush()


def list_time_off(session: Session, *, doctor_id: int, since: datetime | None = None) -> list[TimeOff]:
    return store.time_off(session, doctor_id=doctor_id, since=since)


def add_time_off(
    session: Session, *, actor: Actor, doctor: Doctor, starts_at: datetime, ends_at: datetime, reason: str | None = None
) -> tuple[TimeOff, list[int]]:
    """Record time off; booked appointments inside it are cancelled in the background (the outbox's
    `time_off.created` runs clinic.appointments.cascades in a worker)."""
    if starts_at >= ends_at:
        raise Invalid("Time off must end after it starts.", fields={"ends_at": "must be after starts_at"})
    time_off = TimeOff(
        doctor_id=doctor.id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=None if actor.role == SYSTEM.role else actor.user_id,
    )
    session.add(time_off)
    session.flush()
    affected = store.booked_overlapping(session, doctor_id=doctor.id, starts_at=starts_at, ends_at=ends_at)
    emit(session, Topic.TIME_OFF_CREATED, time_off_id=time_off.id, doctor_id=doctor.id, appointment_ids=affected)
    return time_off, affected


def preview_time_off(session: Session, *, doctor: Doctor, starts_at: datetime, ends_at: datetime) -> list[int]:
    """The booked appointments that time off over [starts_at, ends_at) would cancel; changes nothing."""
    if starts_at >= ends_at:
        raise Invalid("Time off must end after it starts.", fields={"ends_at": "must be after starts_at"})
    return store.booked_overlapping(session, doctor_id=doctor.id, starts_at=starts_at, ends_at=ends_at)


def remove_time_off(session: Session, *, doctor: Doctor, time_off_id: int) -> None:
    """Delete a time-off period (appointments already cancelled by it stay cancelled)."""
    if not store.delete_time_off(session, doctor_id=doctor.id, time_off_id=time_off_id):
        raise NotFound("No such time off.")
