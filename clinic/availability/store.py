"""All of the availability domain's SQL: the slots statement and the next-free-time statement.

Raw SQL in psycopg's `%(name)s` style through clinic.db's helpers; functions take the session first and
return rows (data); they never commit.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.db import fetch_all, first_row
from clinic.identity import store as identity_store
from clinic.identity.actor import Actor

# Doctor, clinic zone, service, working hours, the doctor's slots version and what the caller's answer needs
# beyond the doctor-wide free slots, in one round trip.
# The doctor's busy intervals (active appointments) and time off come back only when the version differs from
# the one this process holds in its cache (`known`): then PostgreSQL skips them altogether (a one-time
# filter on the lateral subqueries), so the statement's cost no longer follows the doctor's appointments.
# Per caller, always: active waitlist holds of anyone but the patient asking (or named by staff; without one,
# no held slot shows: it is offered to its holder only), and that patient's own appointments.
# Always one row: the verdict of the caller's account check (TRUE without one: see clinic.identity.store),
# then NULLs if there is no such doctor or service.


def _slots_statement(account_holds: str) -> str:
    return f"""
WITH guard AS MATERIALIZED (SELECT {account_holds} AS held)  -- once, not once per reference
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


_SLOTS = _slots_statement("TRUE")
_SLOTS_CHECKING_ACCOUNT = _slots_statement(identity_store.ACCOUNT_HOLDS)


def slots_row(session: Session, params: dict, caller: Actor) -> tuple:
    """The slots statement's row (account verdict first) on the driver fast path, binary: a hot read. Its
    `params`: doctor_id, service_id, lo, hi, now, patient_id, first, last and `known` (the slots version this
    process holds, -1 for none). The caller's account is checked in it when the actor says so."""
    check = identity_store.account_check(caller)
    if check is None:
        return first_row(session, _SLOTS, params)
    return first_row(session, _SLOTS_CHECKING_ACCOUNT, {**params, **check})


_FIRST_FREE = """
SELECT d.id, c.timezone,
       ARRAY(SELECT ARRAY[w.weekday, date_part('epoch', w.start_time)::int, date_part('epoch', w.end_time)::int]
             FROM working_hours w WHERE w.doctor_id = d.id ORDER BY w.weekday, w.start_time) AS hours,
       ARRAY(SELECT ARRAY[s.id, s.duration_minutes, s.buffer_minutes]
             FROM doctor_services ds JOIN services s ON s.id = ds.service_id
             WHERE ds.doctor_id = d.id AND s.active
               AND (CAST(%(service_id)s AS bigint) IS NULL OR s.id = CAST(%(service_id)s AS bigint))
             ORDER BY s.id) AS services,
       ARRAY(SELECT ARRAY[o.day - DATE '1970-01-01', coalesce(date_part('epoch', o.start_time)::int, -1),
                          coalesce(date_part('epoch', o.end_time)::int, -1)]
             FROM date_overrides o WHERE o.doctor_id = d.id AND o.day BETWEEN CAST(%(first)s AS date) AND CAST(%(last)s AS date)
             ORDER BY o.day, o.start_time) AS overrides,
       busy.a AS busy_a, busy.b AS busy_b, off.a AS off_a, off.b AS off_b, mine.a AS mine_a, mine.b AS mine_b
FROM doctors d JOIN clinics c ON c.id = d.clinic_id
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', x.starts_at)::bigint) AS a,
           array_agg(date_part('epoch', x.blocked_until)::bigint) AS b
    FROM (SELECT a.starts_at, a.blocked_until FROM appointments a
          WHERE a.doctor_id = d.id AND a.status <> 'cancelled' AND a.starts_at >= %(lo)s AND a.starts_at < %(hi)s
          UNION ALL
          SELECT h.starts_at, h.blocked_until FROM slot_holds h
          WHERE h.doctor_id = d.id AND h.status = 'active' AND h.starts_at >= %(lo)s AND h.starts_at < %(hi)s
            AND h.expires_at > %(now)s AND h.patient_id IS DISTINCT FROM CAST(%(patient_id)s AS bigint)) x) busy
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', t.starts_at)::bigint) AS a, array_agg(date_part('epoch', t.ends_at)::bigint) AS b
    FROM time_off t WHERE t.doctor_id = d.id AND t.starts_at < %(hi)s AND t.ends_at > %(lo)s) off
CROSS JOIN LATERAL (
    SELECT array_agg(date_part('epoch', p.starts_at)::bigint) AS a, array_agg(date_part('epoch', p.ends_at)::bigint) AS b
    FROM appointments p
    WHERE p.patient_id = CAST(%(patient_id)s AS bigint) AND p.status <> 'cancelled'
      AND p.starts_at >= %(lo)s AND p.starts_at < %(hi)s) mine
WHERE d.id = ANY(%(ids)s) AND d.active
"""


def first_free_rows(
    session: Session, *, doctor_ids: list[int], service_id: int | None, lo, hi, now, patient_id: int | None, first, last
) -> list[tuple]:
    """Per active doctor asked about: id, zone, weekly hours, services offered (id, length, buffer), date
    overrides of first..last and the busy, time-off and own-appointment intervals of [lo, hi)."""
    return fetch_all(
        session,
        _FIRST_FREE,
        {
            "ids": list(doctor_ids),
            "service_id": service_id,
            "lo": lo,
            "hi": hi,
            "now": now,
            "patient_id": patient_id,
            "first": first,
            "last": last,
        },
    )
