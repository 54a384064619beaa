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

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic.availability import engine
from clinic.availability.service import Window, hours_by_weekday, overrides_by_day, zone
from clinic.settings import Settings

_FIRST_FREE_SQL = text("""
SELECT d.id, c.timezone,
       ARRAY(SELECT ARRAY[w.weekday, date_part('epoch', w.start_time)::int, date_part('epoch', w.end_time)::int]
             FROM working_hours w WHERE w.doctor_id = d.id ORDER BY w.weekday, w.start_time) AS hours,
       ARRAY(SELECT ARRAY[s.id, s.duration_minutes, s.buffer_minutes]
             FROM doctor_services ds JOIN services s ON s.id = ds.service_id
             WHERE ds.doctor_id = d.id AND s.active
               AND (CAST(:service_id AS bigint) IS NULL OR s.id = CAST(:service_id AS bigint))
             ORDER BY s.id) AS services,
       ARRAY(SELECT ARRAY[o.day - DATE '1970-01-01', coalesce(date_part('epoch', o.start_time)::int, -1),
                          coalesce(date_part('epoch', o.end_time)::int, -1)]
             FROM date_overrides o WHERE o.doctor_id = d.id AND o.day BETWEEN CAST(:first AS date) AND CAST(:last AS date)
             ORDER BY o.day, o.start_time) AS overrides,
       busy.a, busy.b, off.a, off.b, mine.a, mine.b
FROM doctors d JOIN clinics c ON c.id = d.clinic_id
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', x.starts_at)::bigint) AS a,
           array_agg(date_part('epoch', x.blocked_until)::bigint) AS b
    FROM (SELECT a.starts_at, a.blocked_until FROM appointments a
          WHERE a.doctor_id = d.id AND a.status <> 'cancelled' AND a.starts_at >= :lo AND a.starts_at < :hi
          UNION ALL
          SELECT h.starts_at, h.blocked_until FROM slot_holds h
          WHERE h.doctor_id = d.id AND h.status = 'active' AND h.starts_at >= :lo AND h.starts_at < :hi
            AND h.expires_at > :now AND h.patient_id IS DISTINCT FROM CAST(:patient_id AS bigint)) x) busy
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', t.starts_at)::bigint) AS a, array_agg(date_part('epoch', t.ends_at)::bigint) AS b
    FROM time_off t WHERE t.doctor_id = d.id AND t.starts_at < :hi AND t.ends_at > :lo) off
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', p.starts_at)::bigint) AS a, array_agg(date_part('epoch', p.ends_at)::bigint) AS b
    FROM appointments p
    WHERE p.patient_id = CAST(:patient_id AS bigint) AND p.status <> 'cancelled'
      AND p.starts_at >= :lo AND p.starts_at < :hi) mine
WHERE d.id = ANY(:ids) AND d.active
""")


class NextFree(NamedTuple):
    service_id: int
    starts_at: datetime  # in the clinic's zone


def next_available(session: Session, *, doctor_ids: list[int], now: datetime, settings: Settings,
                   service_id: int | None = None, patient_id: int | None = None) -> dict[int, NextFree | None]:
    """Per doctor, the earliest free slot within the next `max_slots_range_days` days over the services they
    offer (only `service_id` when given), as the caller would see it: holds of others are busy, and a
    patient's own appointments block their times. None when there is nothing free in that window."""
    out: dict[int, NextFree | None] = {i: None for i in doctor_ids}
    if not doctor_ids:
        return out
    days = settings.max_slots_range_days
    # Same padding as the slots query: appointments starting up to a day before may still block.
    lo, hi = now - timedelta(days=2), now + timedelta(days=days + 2)
    rows = session.execute(_FIRST_FREE_SQL, {"ids": list(doctor_ids), "service_id": service_id, "lo": lo, "hi": hi,
                                             "now": now, "patient_id": patient_id, "first": (now - timedelta(days=1)).date(),
                                             "last": (now + timedelta(days=days + 1)).date()})
    window = Window.at(now, settings)
    for doctor_id, tz_name, hours, services, overrides, busy_a, busy_b, off_a, off_b, mine_a, mine_b in rows:
        weekly = tuple(hours_by_weekday(hours).items())
        own = overrides_by_day(overrides)  # a date's own hours (none: a day off) replace its weekday's
        if not (weekly or own) or not services:
            continue
        hours_on = dict(weekly)
        groups = [(sid, duration_min * 60, engine.blocked_starts(
                       (busy_a, busy_b, (duration_min + buffer_min) * 60), (off_a, off_b, duration_min * 60),
                       (mine_a, mine_b, duration_min * 60)))
                  for sid, duration_min, buffer_min in services]
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
            out[doctor_id] = NextFree(service_id=best[1],
                                      starts_at=datetime.fromtimestamp(best[0], zone(tz_name)))
    return out
