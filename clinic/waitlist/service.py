"""The waitlist: join, leave, list; offering a freed slot to the first matching patient with a hold."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clinic.errors import Conflict, Invalid, NotFound
from clinic.identity.actor import Actor
from clinic.identity.patients import require_patient
from clinic.settings import Settings
from clinic.waitlist.models import SlotHold, WaitlistEntry

MAX_RANGE_DAYS = 366


def join(session: Session, *, actor: Actor, service_id: int, from_date: date, to_date: date,
         doctor_id: int | None = None, clinic_id: int | None = None, patient_id: int | None = None,
         today: date | None = None) -> tuple[WaitlistEntry, bool]:
    """Ask to be offered a slot of `service_id` (optionally with one doctor or at one clinic) in a date range.

    Asking again for exactly the same while still on the list answers the existing entry (created: False)."""
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
    if not actor.is_patient:
        require_patient(session, patient_id)  # staff name the patient: 404 unless it is one
    _check_exists(session, "services", service_id, "service_id")
    if doctor_id is not None:
        _check_exists(session, "doctors", doctor_id, "doctor_id")
    if clinic_id is not None:
        _check_exists(session, "clinics", clinic_id, "clinic_id")
    # One patient's joins run one at a time, so two clicks cannot both find no entry and add two.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('waitlist.join'), :p)"), {"p": patient_id})
    existing = session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.patient_id == patient_id, WaitlistEntry.service_id == service_id,
        WaitlistEntry.doctor_id.is_not_distinct_from(doctor_id), WaitlistEntry.clinic_id.is_not_distinct_from(clinic_id),
        WaitlistEntry.from_date == from_date, WaitlistEntry.to_date == to_date,
        WaitlistEntry.status.in_(("waiting", "offered"))))
    if existing is not None:
        return existing, False
    entry = WaitlistEntry(patient_id=patient_id, service_id=service_id, doctor_id=doctor_id, clinic_id=clinic_id,
                          from_date=from_date, to_date=to_date, status="waiting")
    session.add(entry)
    session.flush()
    session.refresh(entry)
    return entry, True


def _check_exists(session: Session, table: str, row_id: int, field: str) -> None:
    if not session.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE id = :id)"), {"id": row_id}):
        raise Invalid(fields={field: "does not exist"})


def entries(session: Session, *, actor: Actor, limit: int = 200) -> list[WaitlistEntry]:
    """Patients: their own current entries; staff: everyone's."""
    stmt = select(WaitlistEntry).where(WaitlistEntry.status.in_(("waiting", "offered")))
    if not actor.is_staff:
        stmt = stmt.where(WaitlistEntry.patient_id == actor.user_id)
    return list(session.scalars(stmt.order_by(WaitlistEntry.created_at, WaitlistEntry.id).limit(limit)))


def _own_entry(session: Session, actor: Actor, entry_id: int) -> WaitlistEntry:
    """The entry, locked, if the actor may act on it (its patient, staff); else NotFound."""
    stmt = select(WaitlistEntry).where(WaitlistEntry.id == entry_id, WaitlistEntry.status != "left")
    if not actor.is_staff:
        stmt = stmt.where(WaitlistEntry.patient_id == actor.user_id)
    entry = session.scalars(stmt.with_for_update()).first()
    if entry is None:
        raise NotFound("No such waitlist entry.")
    return entry


def leave(session: Session, *, actor: Actor, entry_id: int) -> None:
    """Leave the waitlist (releasing any hold to the next patient); someone else's entry is NotFound."""
    entry = _own_entry(session, actor, entry_id)
    entry.status = "left"
    _release_holds(session, entry_id)
    session.flush()


def decline(session: Session, *, actor: Actor, entry_id: int) -> WaitlistEntry:
    """Turn down the slot held for this entry but stay on the waitlist for another one (its patient, or staff
    on their behalf). The slot returns to everyone at once and is offered to the next waiting patient."""
    entry = _own_entry(session, actor, entry_id)
    if entry.status != "offered" or not _release_holds(session, entry_id):
        raise Conflict("No slot is being held for this entry.", code="nothing_to_decline")
    entry.status = "waiting"
    session.flush()
    session.refresh(entry)
    return entry


# What a `waitlist.hold_expired` message says about each released hold (here, and in the expiry sweep):
# its slot goes to the next waiting patient (events.on_slot_event).
HOLD_EXPIRED_PAYLOAD = """jsonb_build_object('hold_id', id, 'doctor_id', doctor_id, 'service_id', service_id,
                                              'starts_at', starts_at, 'ends_at', ends_at,
                                              'appointment_id', source_appointment_id)"""

_RELEASE = text(f"""
WITH released AS (
  UPDATE slot_holds SET status = 'expired', expires_at = least(expires_at, now())
  WHERE entry_id = :id AND status = 'active'
  RETURNING id, doctor_id, service_id, starts_at, ends_at, source_appointment_id)
INSERT INTO outbox (topic, payload) SELECT 'waitlist.hold_expired', {HOLD_EXPIRED_PAYLOAD} FROM released
RETURNING 1
""")


def _release_holds(session: Session, entry_id: int) -> int:
    """End the entry's active hold now, handing its slot on; how many holds were released."""
    return len(session.execute(_RELEASE, {"id": entry_id}).all())


def held_by_other(session: Session, doctor_id: int, starts_at: datetime, ends_at: datetime, patient_id: int,
                  *, now: datetime | None = None) -> bool:
    """True while another patient holds a slot of this doctor that [starts_at, ends_at) would overlap.

    For checks outside the hot paths (tests, tools): the booking statement and the slots query test the
    same condition inside their own statement."""
    return bool(session.scalar(text("""
        SELECT EXISTS (SELECT 1 FROM slot_holds WHERE doctor_id = :d AND status = 'active'
                         AND expires_at > coalesce(CAST(:now AS timestamptz), now())
                         AND starts_at < :e AND blocked_until > :s AND patient_id <> :p)"""),
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

# Until when a hold of [s, e) would block the doctor (its end plus the service's buffer, as a booking
# would), if the slot is free: no active appointment or hold overlaps it that way, no time off, the
# doctor active; no row otherwise.
_FREE_UNTIL = text("""
SELECT f.until FROM services s,
     LATERAL (SELECT CAST(:e AS timestamptz) + make_interval(mins => s.buffer_minutes) AS until) f
WHERE s.id = :service_id
  AND NOT EXISTS (SELECT 1 FROM appointments WHERE doctor_id = :d AND status <> 'cancelled'
                    AND starts_at < f.until AND blocked_until > :s)
  AND NOT EXISTS (SELECT 1 FROM slot_holds WHERE doctor_id = :d AND status = 'active' AND expires_at > :now
                    AND starts_at < f.until AND blocked_until > :s)
  AND NOT EXISTS (SELECT 1 FROM time_off WHERE doctor_id = :d AND starts_at < :e AND ends_at > :s)
  AND EXISTS (SELECT 1 FROM doctors WHERE id = :d AND active)
""")

# One offer or settlement at a time per doctor (offer_slot, settle_holds).
_LOCK_DOCTOR = text("SELECT pg_advisory_xact_lock(84201, CAST(:d AS int))")


def offer_slot(session: Session, *, doctor_id: int, service_id: int, clinic_id: int, starts_at: datetime,
               ends_at: datetime, now: datetime, settings: Settings, source_appointment_id: int | None = None,
               exclude_patient: int | None = None) -> SlotHold | None:
    """Hold a freed slot for the first matching waiting patient; None when nobody matches or it is taken."""
    if starts_at <= now + timedelta(minutes=settings.min_notice_minutes):
        return None
    # One offer at a time per doctor: serialise concurrent offers of overlapping slots.
    session.execute(_LOCK_DOCTOR, {"d": doctor_id})
    blocked_until = session.scalar(_FREE_UNTIL, {"d": doctor_id, "service_id": service_id, "s": starts_at,
                                                 "e": ends_at, "now": now})
    if blocked_until is None:
        return None
    row = session.execute(_NEXT, {"clinic_id": clinic_id, "service_id": service_id, "doctor_id": doctor_id,
                                  "starts_at": starts_at, "exclude_patient": exclude_patient}).first()
    if row is None:
        return None
    entry_id, patient_id = row
    session.execute(text("UPDATE waitlist_entries SET status = 'offered' WHERE id = :id"), {"id": entry_id})
    hold = SlotHold(entry_id=entry_id, patient_id=patient_id, doctor_id=doctor_id, service_id=service_id,
                    source_appointment_id=source_appointment_id, starts_at=starts_at, ends_at=ends_at,
                    blocked_until=blocked_until, status="active",
                    expires_at=now + timedelta(minutes=settings.waitlist_hold_minutes))
    session.add(hold)
    session.flush()
    return hold


_SETTLE = text("""
WITH settled AS (
  UPDATE slot_holds SET status = CASE WHEN patient_id = :p THEN 'used' ELSE 'expired' END
  WHERE doctor_id = :d AND status = 'active' AND starts_at < :b AND blocked_until > :s
  RETURNING entry_id, status)
UPDATE waitlist_entries e SET status = CASE WHEN x.status = 'used' THEN 'fulfilled' ELSE 'waiting' END
FROM settled x WHERE e.id = x.entry_id AND e.status = 'offered'
RETURNING e.id, e.status
""")


def settle_holds(session: Session, *, patient_id: int, doctor_id: int, starts_at: datetime,
                 blocked_until: datetime) -> dict[int, str]:
    """A booking now occupies [starts_at, blocked_until) of the doctor: every active hold it overlaps is over.

    The booker's own hold is used and their entry fulfilled. Another patient's hold can only overlap if it
    had lapsed (the sweep had not flipped it yet) or if the booking statement started before the offer
    committed it (so it could not see it; see offer_slot): either way the slot was taken, so that hold is
    over and its patient waits again (no offer follows: the slot is gone). Under the doctor's offer lock,
    so an offer still in flight is settled here once it commits.
    Returns {entry id: its new status}."""
    session.execute(_LOCK_DOCTOR, {"d": doctor_id})
    rows = session.execute(_SETTLE, {"p": patient_id, "d": doctor_id, "s": starts_at, "b": blocked_until}).all()
    return dict(rows)

