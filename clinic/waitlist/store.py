"""The waitlist's SQL: entries, slot holds, and what an offer must know of the doctor's calendar.

Raw statements use psycopg's `%(name)s` placeholders and run through the platform helpers (clinic/db.py) on
the session's own connection and transaction; entries come back as ORM objects. Topics come from
clinic.topics, also inside SQL. Only this module writes SQL for the waitlist; the rules (service.py,
events.py) call it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.db import execute, fetch_all, fetch_one, fetch_value
from clinic.topics import Topic
from clinic.waitlist.models import WaitlistEntry

OPEN = ("waiting", "offered")  # an entry still on the list

# Entries --------------------------------------------------------------------------------------------

# One patient's joins run one at a time, so two clicks cannot both find no entry and add two.
_LOCK_PATIENT_JOINS = "SELECT pg_advisory_xact_lock(hashtext('waitlist.join'), %(p)s)"


def lock_patient_joins(session: Session, patient_id: int) -> None:
    """Until the transaction ends, no other join of this patient's runs."""
    fetch_value(session, _LOCK_PATIENT_JOINS, {"p": patient_id})


# What a waitlist entry may name, and whether an id of it exists.
_EXISTS = {
    table: f"SELECT EXISTS (SELECT 1 FROM {table} WHERE id = %(id)s)" for table in ("services", "doctors", "clinics")
}


def exists(session: Session, table: str, row_id: int) -> bool:
    """Whether `table` ("services", "doctors" or "clinics") has a row `row_id`."""
    return bool(fetch_value(session, _EXISTS[table], {"id": row_id}))


def open_entry(
    session: Session,
    *,
    patient_id: int,
    service_id: int,
    doctor_id: int | None,
    clinic_id: int | None,
    from_date: date,
    to_date: date,
) -> WaitlistEntry | None:
    """The patient's entry still on the list asking for exactly this, if any."""
    return session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.patient_id == patient_id,
            WaitlistEntry.service_id == service_id,
            WaitlistEntry.doctor_id.is_not_distinct_from(doctor_id),
            WaitlistEntry.clinic_id.is_not_distinct_from(clinic_id),
            WaitlistEntry.from_date == from_date,
            WaitlistEntry.to_date == to_date,
            WaitlistEntry.status.in_(OPEN),
        )
    )


def open_entries(session: Session, *, patient_id: int | None, limit: int) -> list[WaitlistEntry]:
    """Entries still on the list (one patient's, or everyone's when `patient_id` is None), oldest first."""
    stmt = select(WaitlistEntry).where(WaitlistEntry.status.in_(OPEN))
    if patient_id is not None:
        stmt = stmt.where(WaitlistEntry.patient_id == patient_id)
    return list(session.scalars(stmt.order_by(WaitlistEntry.created_at, WaitlistEntry.id).limit(limit)))


def entry_for_update(session: Session, *, entry_id: int, patient_id: int | None) -> WaitlistEntry | None:
    """The entry unless it was left (only if it is `patient_id`'s, when given), locked until the end of the
    transaction."""
    stmt = select(WaitlistEntry).where(WaitlistEntry.id == entry_id, WaitlistEntry.status != "left")
    if patient_id is not None:
        stmt = stmt.where(WaitlistEntry.patient_id == patient_id)
    return session.scalars(stmt.with_for_update()).first()


# Holds ----------------------------------------------------------------------------------------------

# What a `waitlist.hold_expired` message says about each hold released (by its patient, or lapsed): its
# slot goes to the next waiting patient (events.on_slot_event).
_HOLD_EXPIRED = f"""
INSERT INTO outbox (topic, payload)
SELECT '{Topic.HOLD_EXPIRED}', jsonb_build_object('hold_id', id, 'doctor_id', doctor_id, 'service_id', service_id,
                                                  'starts_at', starts_at, 'ends_at', ends_at,
                                                  'appointment_id', source_appointment_id)"""

_RELEASE = f"""
WITH released AS (
  UPDATE slot_holds SET status = 'expired', expires_at = least(expires_at, now())
  WHERE entry_id = %(id)s AND status = 'active'
  RETURNING id, doctor_id, service_id, starts_at, ends_at, source_appointment_id)
{_HOLD_EXPIRED} FROM released
"""


def release_holds(session: Session, entry_id: int) -> int:
    """End the entry's active hold now, handing its slot on; how many holds were released."""
    return execute(session, _RELEASE, {"id": entry_id})


# Lapsed holds end; their entries wait again and their slots are offered on. One statement.
_EXPIRE = f"""
WITH expired AS (
  UPDATE slot_holds SET status = 'expired' WHERE status = 'active' AND expires_at <= %(now)s
  RETURNING id, entry_id, doctor_id, service_id, starts_at, ends_at, source_appointment_id
),
reopened AS (
  UPDATE waitlist_entries e SET status = 'waiting' FROM expired x WHERE e.id = x.entry_id AND e.status = 'offered'
),
events AS (
  {_HOLD_EXPIRED} FROM expired RETURNING 1
)
SELECT count(*) FROM events
"""


def expire_holds(session: Session, *, now: datetime) -> int:
    """End every hold lapsed at `now`; how many."""
    return fetch_value(session, _EXPIRE, {"now": now})


_HELD_BY_OTHER = """
SELECT EXISTS (SELECT 1 FROM slot_holds WHERE doctor_id = %(d)s AND status = 'active'
                 AND expires_at > coalesce(CAST(%(now)s AS timestamptz), now())
                 AND starts_at < %(e)s AND blocked_until > %(s)s AND patient_id <> %(p)s)
"""


def held_by_other(
    session: Session, *, doctor_id: int, starts_at: datetime, ends_at: datetime, patient_id: int, now: datetime | None
) -> bool:
    return bool(
        fetch_value(
            session, _HELD_BY_OTHER, {"d": doctor_id, "s": starts_at, "e": ends_at, "p": patient_id, "now": now}
        )
    )


# One offer or settlement at a time per doctor.
_LOCK_DOCTOR = "SELECT pg_advisory_xact_lock(84201, CAST(%(d)s AS int))"


def lock_doctor(session: Session, doctor_id: int) -> None:
    """Until the transaction ends, no other offer or settlement of this doctor's slots runs."""
    fetch_value(session, _LOCK_DOCTOR, {"d": doctor_id})


# Until when a hold of [s, e) would block the doctor (its end plus the service's buffer, as a booking
# would), if the slot is free: no active appointment or hold overlaps it that way, no time off, the
# doctor active; no row otherwise.
_FREE_UNTIL = """
SELECT f.until FROM services s,
     LATERAL (SELECT CAST(%(e)s AS timestamptz) + make_interval(mins => s.buffer_minutes) AS until) f
WHERE s.id = %(service_id)s
  AND NOT EXISTS (SELECT 1 FROM appointments WHERE doctor_id = %(d)s AND status <> 'cancelled'
                    AND starts_at < f.until AND blocked_until > %(s)s)
  AND NOT EXISTS (SELECT 1 FROM slot_holds WHERE doctor_id = %(d)s AND status = 'active' AND expires_at > %(now)s
                    AND starts_at < f.until AND blocked_until > %(s)s)
  AND NOT EXISTS (SELECT 1 FROM time_off WHERE doctor_id = %(d)s AND starts_at < %(e)s AND ends_at > %(s)s)
  AND EXISTS (SELECT 1 FROM doctors WHERE id = %(d)s AND active)
"""


def free_until(
    session: Session, *, doctor_id: int, service_id: int, starts_at: datetime, ends_at: datetime, now: datetime
) -> datetime | None:
    """Until when a hold of the slot would block the doctor; None when the slot is not free."""
    return fetch_value(
        session, _FREE_UNTIL, {"d": doctor_id, "service_id": service_id, "s": starts_at, "e": ends_at, "now": now}
    )


# The first waiting patient (oldest entry) the slot fits and has not been held for before, locked.
_NEXT = """
SELECT e.id, e.patient_id FROM waitlist_entries e, clinics c
WHERE c.id = %(clinic_id)s AND e.status = 'waiting' AND e.service_id = %(service_id)s
  AND (e.doctor_id IS NULL OR e.doctor_id = %(doctor_id)s) AND (e.clinic_id IS NULL OR e.clinic_id = %(clinic_id)s)
  AND CAST(timezone(c.timezone, CAST(%(starts_at)s AS timestamptz)) AS date) BETWEEN e.from_date AND e.to_date
  AND e.patient_id <> coalesce(CAST(%(exclude_patient)s AS bigint), 0)
  AND NOT EXISTS (SELECT 1 FROM slot_holds h WHERE h.entry_id = e.id AND h.doctor_id = %(doctor_id)s
                    AND h.starts_at = %(starts_at)s)
ORDER BY e.created_at, e.id LIMIT 1
FOR UPDATE OF e SKIP LOCKED
"""


def next_waiting(
    session: Session,
    *,
    clinic_id: int,
    service_id: int,
    doctor_id: int,
    starts_at: datetime,
    exclude_patient: int | None,
):
    """The entry to offer the slot to, as (id, patient_id), its row locked; None when nobody matches."""
    return fetch_one(
        session,
        _NEXT,
        {
            "clinic_id": clinic_id,
            "service_id": service_id,
            "doctor_id": doctor_id,
            "starts_at": starts_at,
            "exclude_patient": exclude_patient,
        },
    )


def mark_offered(session: Session, entry_id: int) -> None:
    execute(session, "UPDATE waitlist_entries SET status = 'offered' WHERE id = %(id)s", {"id": entry_id})


_SETTLE = """
WITH settled AS (
  UPDATE slot_holds SET status = CASE WHEN patient_id = %(p)s THEN 'used' ELSE 'expired' END
  WHERE doctor_id = %(d)s AND status = 'active' AND starts_at < %(b)s AND blocked_until > %(s)s
  RETURNING entry_id, status)
UPDATE waitlist_entries e SET status = CASE WHEN x.status = 'used' THEN 'fulfilled' ELSE 'waiting' END
FROM settled x WHERE e.id = x.entry_id AND e.status = 'offered'
RETURNING e.id, e.status
"""


def settle(
    session: Session, *, patient_id: int, doctor_id: int, starts_at: datetime, blocked_until: datetime
) -> dict[int, str]:
    """End every active hold of the doctor's overlapping [starts_at, blocked_until): the patient's is used (its
    entry fulfilled), another's expired (its entry waits again). {entry id: its new status}."""
    return dict(fetch_all(session, _SETTLE, {"p": patient_id, "d": doctor_id, "s": starts_at, "b": blocked_until}))


# The slot events the waitlist reacts to --------------------------------------------------------------

_APPOINTMENT_SLOT = """SELECT doctor_id, service_id, starts_at, ends_at, blocked_until, patient_id, status
                       FROM appointments WHERE id = %(id)s"""


def appointment_slot(session: Session, appointment_id: int | None):
    """The appointment's doctor, service, interval (and blocked_until), patient and status; None if there is no
    such appointment."""
    if appointment_id is None:
        return None
    return fetch_one(session, _APPOINTMENT_SLOT, {"id": appointment_id})
