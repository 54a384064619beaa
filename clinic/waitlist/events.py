"""How the waitlist reacts to slot events: a booking or a move settles the holds it overlaps (its patient's is
used up); a freed slot (a cancellation, or a hold that lapsed or was declined) is held for the next waiting
patient (clinic.notifications.waitlist_offers turns that hold into the offer email)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.scheduling.service import clinic_of_doctor
from clinic.settings import Settings
from clinic.topics import Topic
from clinic.waitlist import store
from clinic.waitlist.models import SlotHold
from clinic.waitlist.service import offer_slot, settle_holds


def on_slot_event(session: Session, *, topic: str, payload: dict, now: datetime, settings: Settings) -> SlotHold | None:
    """Apply one event; the new hold when the freed slot was offered to a waiting patient."""
    row = store.appointment_slot(session, payload.get("appointment_id"))
    if topic in (Topic.BOOKED, Topic.RESCHEDULED):  # it now occupies its (new) slot
        if row is not None and row.status != "cancelled":
            settle_holds(
                session,
                patient_id=row.patient_id,
                doctor_id=row.doctor_id,
                starts_at=row.starts_at,
                blocked_until=row.blocked_until,
            )
        return None
    if topic == Topic.CANCELLED:
        if row is None or row.status != "cancelled":
            return None
        slot = dict(doctor_id=row.doctor_id, service_id=row.service_id, starts_at=row.starts_at, ends_at=row.ends_at)
        exclude = row.patient_id
    else:  # waitlist.hold_expired
        slot = dict(
            doctor_id=payload["doctor_id"],
            service_id=payload["service_id"],
            starts_at=datetime.fromisoformat(payload["starts_at"]),
            ends_at=datetime.fromisoformat(payload["ends_at"]),
        )
        exclude = None
    clinic_id = clinic_of_doctor(session, doctor_id=slot["doctor_id"])
    return offer_slot(
        session,
        **slot,
        clinic_id=clinic_id,
        now=now,
        settings=settings,
        source_appointment_id=payload.get("appointment_id"),
        exclude_patient=exclude,
    )
