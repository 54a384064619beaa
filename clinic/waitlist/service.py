"""The waitlist: join, leave, list; offering a freed slot to the first matching patient with a hold."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from clinic.errors import Conflict, Invalid, NotFound
from clinic.identity.actor import Actor
from clinic.identity.patients import require_patient
from clinic.settings import Settings
from clinic.waitlist import store
from clinic.waitlist.models import SlotHold, WaitlistEntry

MAX_RANGE_DAYS = 366


def join(
    session: Session,
    *,
    actor: Actor,
    service_id: int,
    from_date: date,
    to_date: date,
    doctor_id: int | None = None,
    clinic_id: int | None = None,
    patient_id: int | None = None,
    today: date | None = None,
) -> tuple[WaitlistEntry, bool]:
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
    store.lock_patient_joins(session, patient_id)
    existing = store.open_entry(
        session,
        patient_id=patient_id,
        service_id=service_id,
        doctor_id=doctor_id,
        clinic_id=clinic_id,
        from_date=from_date,
        to_date=to_date,
    )
    if existing is not None:
        return existing, False
    entry = WaitlistEntry(
        patient_id=patient_id,
        service_id=service_id,
        doctor_id=doctor_id,
        clinic_id=clinic_id,
        from_date=from_date,
        to_date=to_date,
        status="waiting",
    )
    session.add(entry)
    session.flush()
    session.refresh(entry)
    return entry, True


def _check_exists(session: Session, table: str, row_id: int, field: str) -> None:
    if not store.exists(session, table, row_id):
        raise Invalid(fields={field: "does not exist"})


def entries(session: Session, *, actor: Actor, limit: int = 200) -> list[WaitlistEntry]:
    """Patients: their own current entries; staff: everyone's."""
    return store.open_entries(session, patient_id=None if actor.is_staff else actor.user_id, limit=limit)


def _own_entry(session: Session, actor: Actor, entry_id: int) -> WaitlistEntry:
    """The entry, locked, if the actor may act on it (its patient, staff); else NotFound."""
    entry = store.entry_for_update(session, entry_id=entry_id, patient_id=None if actor.is_staff else actor.user_id)
    if entry is None:
        raise NotFound("No such waitlist entry.")
    return entry


def leave(session: Session, *, actor: Actor, entry_id: int) -> None:
    """Leave the waitlist (releasing any hold to the next patient); someone else's entry is NotFound."""
    entry = _own_entry(session, actor, entry_id)
    entry.status = "left"
    store.release_holds(session, entry_id)
    session.flush()


def decline(session: Session, *, actor: Actor, entry_id: int) -> WaitlistEntry:
    """Turn down the slot held for this entry but stay on the waitlist for another one (its patient, or staff
    on their behalf). The slot returns to everyone at once and is offered to the next waiting patient."""
    entry = _own_entry(session, actor, entry_id)
    if entry.status != "offered" or not store.release_holds(session, entry_id):
        raise Conflict("No slot is being held for this entry.", code="nothing_to_decline")
    entry.status = "waiting"
    session.flush()
    session.refresh(entry)
    return entry


def held_by_other(
    session: Session,
    doctor_id: int,
    starts_at: datetime,
    ends_at: datetime,
    patient_id: int,
    *,
    now: datetime | None = None,
) -> bool:
    """True while another patient holds a slot of this doctor that [starts_at, ends_at) would overlap (as of
    `now`, default the database's clock).

    For checks outside the hot paths (tests, tools): the booking statement and the slots query test the
    same condition inside their own statement."""
    return store.held_by_other(
        session, doctor_id=doctor_id, starts_at=starts_at, ends_at=ends_at, patient_id=patient_id, now=now
    )


def offer_slot(
    session: Session,
    *,
    doctor_id: int,
    service_id: int,
    clinic_id: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    settings: Settings,
    source_appointment_id: int | None = None,
    exclude_patient: int | None = None,
) -> SlotHold | None:
    """Hold a freed slot for the first matching waiting patient; None when nobody matches or it is taken."""
    if starts_at <= now + timedelta(minutes=settings.min_notice_minutes):
        return None
    # One offer at a time per doctor: serialise concurrent offers of overlapping slots.
    store.lock_doctor(session, doctor_id)
    blocked_until = store.free_until(
        session, doctor_id=doctor_id, service_id=service_id, starts_at=starts_at, ends_at=ends_at, now=now
    )
    if blocked_until is None:
        return None
    row = store.next_waiting(
        session,
        clinic_id=clinic_id,
        service_id=service_id,
        doctor_id=doctor_id,
        starts_at=starts_at,
        exclude_patient=exclude_patient,
    )
    if row is None:
        return None
    store.mark_offered(session, row.id)
    hold = SlotHold(
        entry_id=row.id,
        patient_id=row.patient_id,
        doctor_id=doctor_id,
        service_id=service_id,
        source_appointment_id=source_appointment_id,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=blocked_until,
        status="active",
        expires_at=now + timedelta(minutes=settings.waitlist_hold_minutes),
    )
    session.add(hold)
    session.flush()
    return hold


def settle_holds(
    session: Session, *, patient_id: int, doctor_id: int, starts_at: datetime, blocked_until: datetime
) -> dict[int, str]:
    """A booking now occupies [starts_at, blocked_until) of the doctor: every active hold it overlaps is over.

    The booker's own hold is used and their entry fulfilled. Another patient's hold can only overlap if it
    had lapsed (the expiry sweep had not ended it yet) or if the booking statement started before the offer
    committed it (so it could not see it; see offer_slot): either way the slot was taken, so that hold is
    over and its patient waits again (no offer follows: the slot is gone). Under the doctor's offer lock,
    so an offer still in flight is settled here once it commits.
    Returns {entry id: its new status}."""
    store.lock_doctor(session, doctor_id)
    return store.settle(
        session, patient_id=patient_id, doctor_id=doctor_id, starts_at=starts_at, blocked_until=blocked_until
    )


def expire_holds(session: Session, *, now: datetime, settings: Settings) -> int:
    """The scheduler's periodic rule: every hold lapsed at `now` ends, its entry waits again and a
    `waitlist.hold_expired` event offers its slot to the next waiting patient. How many holds ended."""
    return store.expire_holds(session, now=now)
