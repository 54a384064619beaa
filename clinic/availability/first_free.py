"""Each doctor's next free time: the first slot a booking would get now, for any of the doctors at once.

One query reads, for every doctor asked about, the clinic's zone, the weekly hours and date overrides, the
services offered and everything that makes a time busy in the look-ahead window (the same rows as the
slots query of service.py); the slot engine then finds the first free grid start per doctor and service. So a list of
doctors costs one round trip whatever its length (no query per doctor), and the answer is exactly the
first slot `GET /api/doctors/{id}/slots` would list for that service.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from clinic.availability import engine, store
from clinic.availability.service import Window, hours_by_weekday, overrides_by_day, zone
from clinic.settings import Settings


class NextFree(NamedTuple):
    service_id: int
    starts_at: datetime  # in the clinic's zone


def next_available(
    session: Session,
    *,
    doctor_ids: list[int],
    now: datetime,
    settings: Settings,
    service_id: int | None = None,
    patient_id: int | None = None,
) -> dict[int, NextFree | None]:
    """Per doctor, the earliest free slot within the next `max_slots_range_days` days over the services they
    offer (only `service_id` when given), as the caller would see it: holds of others are busy, and a
    patient's own appointments block their times. None when there is nothing free in that window."""
    out: dict[int, NextFree | None] = {i: None for i in doctor_ids}
    if not doctor_ids:
        return out
    days = settings.max_slots_range_days
    # Same padding as the slots query: appointments starting up to a day before may still block.
    lo, hi = now - timedelta(days=2), now + timedelta(days=days + 2)
    rows = store.first_free_rows(
        session,
        doctor_ids=doctor_ids,
        service_id=service_id,
        lo=lo,
        hi=hi,
        now=now,
        patient_id=patient_id,
        first=(now - timedelta(days=1)).date(),
        last=(now + timedelta(days=days + 1)).date(),
    )
    window = Window.at(now, settings)
    for doctor_id, tz_name, hours, services, overrides, busy_a, busy_b, off_a, off_b, mine_a, mine_b in rows:
        weekly = tuple(hours_by_weekday(hours).items())
        own = overrides_by_day(overrides)  # a date's own hours (none: a day off) replace its weekday's
        if not (weekly or own) or not services:
            continue
        hours_on = dict(weekly)
        groups = [
            (
                sid,
                duration_min * 60,
                engine.blocked_starts(
                    (busy_a, busy_b, (duration_min + buffer_min) * 60),
                    (off_a, off_b, duration_min * 60),
                    (mine_a, mine_b, duration_min * 60),
                ),
            )
            for sid, duration_min, buffer_min in services
        ]
        best: tuple[int, int] | None = None
        # Day by day, stopping at the first day with a free time: only the intervals are needed (plan_day is
        # cached and writes no slot JSON), so a doctor booked solid for weeks costs one scan per day.
        first = now.astimezone(zone(tz_name)).date()
        for day in engine.dates(first, first + timedelta(days=days - 1)):
            hours = own[day] if day in own else hours_on.get(day.weekday())
            if not hours:
                continue
            intervals = engine.plan_day(tz_name, day, hours).intervals
            for sid, duration, blocked in groups:
                runs = engine.free_runs(intervals, duration, window.earliest, window.latest, blocked)
                if runs:
                    k, n, _ = runs[0]
                    start = intervals[k][0] + n * duration
                    if best is None or (start, sid) < best:
                        best = (start, sid)
            if best is not None:
                break
        if best is not None:
            out[doctor_id] = NextFree(service_id=best[1], starts_at=datetime.fromtimestamp(best[0], zone(tz_name)))
    return out
