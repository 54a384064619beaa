"""The waitlist: join, leave, list; offering a freed slot to the first matching patient with a hold."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clinic.errors import Invalid, NotFound
from clinic.identity.actor import Actor
from clinic.settings import Settings
from clinic.waitlist.models import SlotHold, WaitlistEntry

MAX_RANGE_DAYS = 366


def join(session: Session, *, actor: Actor, service_id: int, from_date: date, to_date: date,
         doctor_id: int | None = None, clinic_id: int | None = None, patient_id: int | None = None,
         today: date | None = None) -> WaitlistEntry:
    """Ask to be offered a slot of `service_id` (optionally with one doctor or at one clinic) in a date range."""
    if actor.is_patient:
        patient_id = actor.user_id
    elif not actor.is_staff or patient_id is None:
        raise Invalid("Say which patient is waiting.", fields={"patient_id": "is required"})
    if from_date > to_date:
        raise Invalid(fields={"to": "must not be before from"})
    if (to_date - from_date).days > MAX_RANGE_DAYS:
        raise Invalid(fields={"to": f"the range is at most {MAX_RANGE_DAYS} days"})
    if today is not None and to_date < today:
        raise Invalid(fields={"to": "is in the past"})
    _check_exists(session, "services", service_id, "service_id")
    if doctor_id is not None:
        _check_exists(session, "doctors", doctor_id, "doctor_id")
    if clinic_id is not None:
        _check_exists(session, "clinics", clinic_id, "clinic_id")
    entry = WaitlistEntry(patient_id=patient_id, service_id=service_id, doctor_id=doctor_id, clinic_id=clinic_id,
                          from_date=from_date, to_date=to_date, status="waiting")
    session.add(entry)
    session.flush()
    session.refresh(entry)
    return entry


def _check_exists(session: Session, table: str, row_id: int, field: str) -> None:
    if not session.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE id = :id)"), {"id": row_id}):
        raise Invalid(fields={field: "does not exist"})


def entries(session: Session, *, actor: Actor, limit: int = 200) -> list[WaitlistEntry]:
    """Patients: their own current entries; staff: everyone's."""
    stmt = select(WaitlistEntry).where(WaitlistEntry.status.in_(("waiting", "offered")))
    if not actor.is_staff:
        stmt = stmt.where(WaitlistEntry.patient_id == actor.user_id)
    return list(session.scalars(stmt.order_by(WaitlistEntry.created_at, WaitlistEntry.id).limit(limit)))


def leave(session: Session, *, actor: Actor, entry_id: int) -> None:
    """Leave the waitlist (and release any hold); someone else's entry is NotFound."""
    stmt = select(WaitlistEntry).where(WaitlistEntry.id == entry_id, WaitlistEntry.status != "left")
    if not actor.is_staff:
        stmt = stmt.where(WaitlistEntry.patient_id == actor.user_id)
    entry = session.scalars(stmt.with_for_update()).first()
    if entry is None:
        raise NotFound("No such waitlist entry.")
    entry.status = "left"
    session.execute(text("UPDATE slot_holds SET status = 'expired', expires_at = now() "
                         "WHERE entry_id = :id AND status = 'active'"), {"id": entry_id})
    session.flush()


def held_by_other(session: Session, doctor_id: int, starts_at: datetime, ends_at: datetime, patient_id: int,
                  *, now: datetime | None = None) -> bool:
    """True while another patient holds an overlapping slot of this doctor: booking must refuse it."""
    return bool(session.scalar(text("""
        SELECT EXISTS (SELECT 1 FROM slot_holds WHERE doctor_id = :d AND status = 'active'
                         AND expires_at > coalesce(CAST(:now AS timestamptz), now())
                         AND starts_at < :e AND ends_at > :s AND patient_id <> :p)"""),
        {"d": doctor_id, "s": starts_at, "e": ends_at, "p": patient_id, "now": now}))


_NEXT = text("""
SELECT e.id, e.patient_id FROM waitlist_entries e, clinics c
WHERE c.id = :clinic_id AND e.status = 'waiting' AND e.service_id = :service_id
  AND (e.doctor_id IS NULL OR e.doctor_id = :doctor_id) AND (e.clinic_id IS NULL OR e.clinic_id = :clinic_id)
  AND CAST(timezone(c.timezone, CAST(:starts_at AS timestamptz)) AS date) BETWEEN e.from_date AND e.to_date
  AND e.patient_id <> coalesce(CAST(:exclude_patient AS bigint), 0)
  AND NOT EXISTS (SELECT 1 FROM slot_holds h WHERE h.entry_id = e.id AND h.doctor_id = :doctor_id
                    AND h.starts_at = :starts_at)
ORDER BY e.created_at, e.id LIMIT 1
FOR UPDATE OF e SKIP LOCKED
""")

_SLOT_TAKEN = text("""
SELECT EXISTS (SELECT 1 FROM appointments WHERE doctor_id = :d AND status <> 'cancelled'
                 AND starts_at < :e AND blocked_until > :s)
    OR EXISTS (SELECT 1 FROM slot_holds WHERE doctor_id = :d AND status = 'active' AND expires_at > :now
                 AND starts_at < :e AND ends_at > :s)
    OR EXISTS (SELECT 1 FROM time_off WHERE doctor_id = :d AND starts_at < :e AND ends_at > :s)
    OR NOT EXISTS (SELECT 1 FROM doctors WHERE id = :d AND active)
""")


def offer_slot(session: Session, *, doctor_id: int, service_id: int, clinic_id: int, starts_at: datetime,
               ends_at: datetime, now: datetime, settings: Settings, source_appointment_id: int | None = None,
               exclude_patient: int | None = None) -> SlotHold | None:
    """Hold a freed slot for the first matching waiting patient; None when nobody matches or it is taken."""
    if starts_at <= now + timedelta(minutes=settings.min_notice_minutes):
        return None
    # One offer at a time per doctor: serialise concurrent offers of overlapping slots.
    session.execute(text("SELECT pg_advisory_xact_lock(84201, CAST(:d AS int))"), {"d": doctor_id})
    if session.scalar(_SLOT_TAKEN, {"d": doctor_id, "s": starts_at, "e": ends_at, "now": now}):
        return None
    row = session.execute(_NEXT, {"clinic_id": clinic_id, "service_id": service_id, "doctor_id": doctor_id,
                                  "starts_at": starts_at, "exclude_patient": exclude_patient}).first()
    if row is None:
        return None
    entry_id, patient_id = row
    session.execute(text("UPDATE waitlist_entries SET status = 'offered' WHERE id = :id"), {"id": entry_id})
    hold = SlotHold(entry_id=entry_id, patient_id=patient_id, doctor_id=doctor_id, service_id=service_id,
                    source_appointment_id=source_appointment_id, starts_at=starts_at, ends_at=ends_at,
                    expires_at=now + timedelta(minutes=settings.waitlist_hold_minutes), status="active")
    session.add(hold)
    session.flush()
    return hold


def use_hold(session: Session, *, patient_id: int, doctor_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    """The held patient booked the slot: the hold is used and their entry fulfilled."""
    rows = session.execute(text("""
        WITH used AS (UPDATE slot_holds SET status = 'used'
                      WHERE patient_id = :p AND doctor_id = :d AND status = 'active'
                        AND starts_at < :e AND ends_at > :s RETURNING entry_id)
        UPDATE waitlist_entries SET status = 'fulfilled' WHERE id IN (SELECT entry_id FROM used) RETURNING id"""),
        {"p": patient_id, "d": doctor_id, "s": starts_at, "e": ends_at}).all()
    return bool(rows)
