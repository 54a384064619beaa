"""Free slots of a doctor for a service, in one query whatever the range (see engine.py for the rule)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinic.availability import engine
from clinic.availability.cache import FREE_SLOTS, Basis, build
from clinic.db import GUARD, Guard, first_row, with_guard
from clinic.errors import Invalid, NotFound
from clinic.identity.actor import Actor
from clinic.identity.patients import check_named_patient
from clinic.settings import Settings

# Doctor, clinic zone, service, working hours, the doctor's slots version and what the caller's answer needs
# beyond the doctor-wide free slots, in one round trip.
# The doctor's busy intervals (active appointments) and time off come back only when the version differs from
# the one this process holds in its cache (`known`): then PostgreSQL skips them altogether (a one-time
# filter on the lateral subqueries), so the statement's cost no longer follows the doctor's appointments.
# Per caller, always: active waitlist holds of anyone but the patient asking (or named by staff; without one,
# no held slot shows: it is offered to its holder only), and that patient's own appointments.
# Always one row: the caller's guard verdict (see clinic.db.Guard), then NULLs if there is no such doctor
# or service.
_SLOTS_SQL = f"""
WITH guard AS MATERIALIZED (SELECT {GUARD} AS held)  -- once, not once per reference
SELECT guard.held, found.* FROM guard LEFT JOIN (
SELECT d.active AND s.active AND EXISTS (SELECT 1 FROM doctor_services ds
                                         WHERE ds.doctor_id = d.id AND ds.service_id = s.id) AS available,
       c.timezone, s.duration_minutes, s.buffer_minutes,
       ARRAY(SELECT ARRAY[w.weekday, date_part('epoch', w.start_time)::int, date_part('epoch', w.end_time)::int]
             FROM working_hours w WHERE w.doctor_id = d.id ORDER BY w.weekday, w.start_time) AS hours,
       ARRAY(SELECT ARRAY[o.day - DATE '1970-01-01', coalesce(date_part('epoch', o.start_time)::int, -1),
                          coalesce(date_part('epoch', o.end_time)::int, -1)]
             FROM date_overrides o WHERE o.doctor_id = d.id AND o.day BETWEEN %(first)s AND %(last)s
             ORDER BY o.day, o.start_time) AS overrides,
       version.v AS slots_version, busy.a AS busy_a, busy.b AS busy_b, off.a AS off_a, off.b AS off_b,
       held.a AS held_a, held.b AS held_b, mine.a AS mine_a, mine.b AS mine_b
FROM doctors d JOIN clinics c ON c.id = d.clinic_id JOIN services s ON s.id = %(service_id)s
CROSS JOIN LATERAL (  -- the doctor's slots version (migration 0017): a few index entries since the last fold
    SELECT COALESCE(sum(v.weight), 0)::bigint AS v FROM doctor_slot_changes v WHERE v.doctor_id = d.id) version
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', a.starts_at)::bigint) AS a,
           array_agg(date_part('epoch', a.blocked_until)::bigint) AS b
    FROM appointments a
    WHERE version.v <> %(known)s
      AND a.doctor_id = d.id AND a.status <> 'cancelled' AND a.starts_at >= %(lo)s AND a.starts_at < %(hi)s) busy
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', t.starts_at)::bigint) AS a, array_agg(date_part('epoch', t.ends_at)::bigint) AS b
    FROM time_off t
    WHERE version.v <> %(known)s AND t.doctor_id = d.id AND t.starts_at < %(hi)s AND t.ends_at > %(lo)s) off
CROSS JOIN LATERAL (  -- a slot held for another patient on the waitlist is busy for this caller (clinic.waitlist)
    SELECT array_agg(date_part('epoch', h.starts_at)::bigint) AS a,
           array_agg(date_part('epoch', h.blocked_until)::bigint) AS b
    FROM slot_holds h
    WHERE h.doctor_id = d.id AND h.status = 'active' AND h.starts_at >= %(lo)s AND h.starts_at < %(hi)s
      AND h.expires_at > %(now)s AND h.patient_id IS DISTINCT FROM %(patient_id)s) held
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', p.starts_at)::bigint) AS a, array_agg(date_part('epoch', p.ends_at)::bigint) AS b
    FROM appointments p
    WHERE p.patient_id = %(patient_id)s AND p.status <> 'cancelled' AND p.starts_at >= %(lo)s AND p.starts_at < %(hi)s) mine
WHERE d.id = %(doctor_id)s) found ON guard.held
"""


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Window:
    """Earliest and latest bookable start, in epoch seconds, as of `now`."""
    earliest: int
    latest: int

    @classmethod
    def at(cls, now: datetime, settings: Settings) -> "Window":
        ts = int(now.timestamp())
        return cls(earliest=ts + settings.min_notice_minutes * 60, latest=ts + settings.horizon_days * 86400)


def hours_by_weekday(rows) -> dict[int, tuple[tuple[int, int], ...]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in rows or ():
        out.setdefault(weekday, []).append((start, end))
    return {weekday: tuple(hours) for weekday, hours in out.items()}


def overrides_by_day(rows) -> dict[date, tuple[tuple[int, int], ...]]:
    """Date overrides from the queries' `[day number, start, end]` rows (start -1: a day off)."""
    out: dict[date, list[tuple[int, int]]] = {}
    for day_number, start, end in rows or ():
        hours = out.setdefault(date.fromordinal(day_number + engine.EPOCH_ORDINAL), [])
        if start >= 0:
            hours.append((start, end))
    return {day: tuple(hours) for day, hours in out.items()}


def _basis(tz_name: str, duration_min: int, buffer_min: int, hours, overrides) -> Basis:
    return Basis(tz_name, duration_min * 60, buffer_min * 60, tuple(hours_by_weekday(hours).items()),
                 tuple(sorted(overrides_by_day(overrides).items())))


def check_range(first: date, last: date, settings: Settings) -> None:
    if last < first:
        raise Invalid("`to` is before `from`.", fields={"to": "must not be before from"})
    if (last - first).days + 1 > settings.max_slots_range_days:
        raise Invalid(f"At most {settings.max_slots_range_days} days per request.",
                      fields={"to": f"at most {settings.max_slots_range_days} days after from"})


def slots_json(session: Session, *, actor: Actor, doctor_id: int, service_id: int, first: date, last: date,
               now: datetime, settings: Settings, guard: Guard | None = None, patient_id: int | None = None) -> str:
    """The slots answer, already serialised: `{"timezone": ..., "slots": [{starts_at, ends_at}]}`.

    For a patient, the slots they may book (their own waitlist hold included, times they are busy left out);
    staff get the same view of the patient they name in `patient_id` (else a view that no hold shows in).
    A `guard` that does not hold raises its refusal (checked in the same query)."""
    check_range(first, last, settings)
    if patient_id is not None:
        check_named_patient(session, actor, patient_id)
    elif actor.is_patient:
        patient_id = actor.user_id
    # Pad the UTC range: the clinic's zone is only known after the query (no offset exceeds 14 h), and an
    # appointment that starts before the range (at most 8 h + 4 h of buffer) may still block into it.
    # Filtering on starts_at alone keeps to the (doctor_id, starts_at) index.
    lo = datetime(first.year, first.month, first.day, tzinfo=timezone.utc) - timedelta(days=2)
    hi = datetime(last.year, last.month, last.day, tzinfo=timezone.utc) + timedelta(days=2)
    key = (doctor_id, service_id, first, last)
    cached = FREE_SLOTS.get(key)
    params = {"doctor_id": doctor_id, "service_id": service_id, "lo": lo, "hi": hi, "now": now,
              "patient_id": patient_id, "first": first, "last": last, "known": cached.version if cached else -1}
    sql, params = with_guard(_SLOTS_SQL, params, guard)
    held, *row = first_row(session, sql, params)
    if not held:
        raise guard.refusal
    if row[1] is None:
        raise NotFound("No such doctor or service.")
    available, tz_name, duration_min, buffer_min, hours, overrides, version = row[:7]
    head = '{"timezone":%s,"slots":[' % json.dumps(tz_name)
    if not available:
        return head + "]}"
    basis = _basis(tz_name, duration_min, buffer_min, hours, overrides)
    if cached is None or version != cached.version or basis != cached.basis:
        if cached is not None and version == cached.version:
            # Same busy times, other hours, zone or service length: the statement skipped the busy
            # intervals, so ask again for them (rare: only right after such an edit).
            held, *row = first_row(session, sql, {**params, "known": -1})
            if not held:
                raise guard.refusal
            available, tz_name, duration_min, buffer_min, hours, overrides, version = row[:7]
            basis = _basis(tz_name, duration_min, buffer_min, hours, overrides)
            head = '{"timezone":%s,"slots":[' % json.dumps(tz_name)
            if not available:
                return head + "]}"
        busy_a, busy_b, off_a, off_b = row[7:11]
        cached = build(version, basis, first, last, (busy_a, busy_b), (off_a, off_b))
        FREE_SLOTS.put(key, cached)
    held_a, held_b, mine_a, mine_b = row[11:]
    duration = basis.duration
    blocked = engine.blocked_starts((held_a, held_b, duration + basis.buffer), (mine_a, mine_b, duration))
    window = Window.at(now, settings)
    return head + cached.between(window.earliest, window.latest, blocked) + "]}"
