"""Cascade and waitlist actors: cancelling what time off or a deactivation overlaps; offering freed slots."""
from __future__ import annotations

from datetime import datetime

import dramatiq
from sqlalchemy import text

from clinic.clock import utcnow
from clinic.db import transaction
from clinic.notifications import service as notifications
from clinic.sweeps import cascades
from clinic.waitlist import service as waitlist
from workers import runtime
from workers.broker import settings
from workers.retry import transient

HOUR_MS = 3_600_000


@dramatiq.actor(actor_name="cancel_cascade", max_retries=10, min_backoff=1_000, max_backoff=120_000,
                max_age=24 * HOUR_MS, time_limit=600_000, retry_when=transient(10))
def cancel_cascade(topic: str, payload: dict) -> None:
    """Cancel each overlapping appointment in its own transaction (a retry skips those already done)."""
    with transaction(runtime.sessions()) as session:
        ids = cascades.targets(session, topic=topic, payload=payload, now=utcnow())
    for appointment_id in ids:
        with transaction(runtime.sessions()) as session:
            cascades.cancel_one(session, appointment_id=appointment_id, topic=topic, now=utcnow())


_CANCELLED = text("""SELECT doctor_id, service_id, clinic_id, starts_at, ends_at, patient_id, status
                     FROM appointments WHERE id = :id""")


@dramatiq.actor(actor_name="offer_waitlist", max_retries=10, min_backoff=1_000, max_backoff=120_000,
                max_age=6 * HOUR_MS, time_limit=120_000, retry_when=transient(10))
def offer_waitlist(topic: str, payload: dict) -> None:
    """A slot freed up (cancellation, or a hold that lapsed): hold it for the next waiting patient and tell them.
    A booking by a held patient uses up their hold."""
    now = utcnow()
    with transaction(runtime.sessions()) as session:
        row = session.execute(_CANCELLED, {"id": payload.get("appointment_id")}).first()
        if topic == "appointment.booked":
            if row is not None:
                waitlist.use_hold(session, patient_id=row.patient_id, doctor_id=row.doctor_id,
                                  starts_at=row.starts_at, ends_at=row.ends_at)
            return
        if topic == "appointment.cancelled":
            if row is None or row.status != "cancelled":
                return
            slot = dict(doctor_id=row.doctor_id, service_id=row.service_id, starts_at=row.starts_at,
                        ends_at=row.ends_at)
            exclude = row.patient_id
        else:  # waitlist.hold_expired
            slot = dict(doctor_id=payload["doctor_id"], service_id=payload["service_id"],
                        starts_at=datetime.fromisoformat(payload["starts_at"]),
                        ends_at=datetime.fromisoformat(payload["ends_at"]))
            exclude = None
        clinic_id = session.scalar(text("SELECT clinic_id FROM doctors WHERE id = :d"), {"d": slot["doctor_id"]})
        hold = waitlist.offer_slot(session, **slot, clinic_id=clinic_id, now=now, settings=settings,
                                   source_appointment_id=payload.get("appointment_id"), exclude_patient=exclude)
        if hold is None:
            return
        delivery_id = notifications.ensure(session, key=f"offer:{hold.id}", kind="waitlist_offer",
                                           appointment_id=payload.get("appointment_id"),
                                           recipient_id=hold.patient_id, details={"hold_id": hold.id})
    runtime.sender().deliver([delivery_id], batch=False)
