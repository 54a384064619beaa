"""Email actors: event emails (with the invite), sweep batches, no-show follow-ups."""
from __future__ import annotations

import dramatiq

from clinic.clock import utcnow
from clinic.db import transaction
from clinic.notifications import service as notifications
from clinic.sweeps.due import flag_repeat_no_shows
from workers import runtime
from workers.retry import transient

KINDS = {"appointment.booked": "confirmation", "appointment.rescheduled": "rescheduled",
         "appointment.cancelled": "cancelled"}
HOUR_MS = 3_600_000


@dramatiq.actor(actor_name="appointment_email", max_retries=12, min_backoff=1_000, max_backoff=300_000,
                max_age=24 * HOUR_MS, time_limit=120_000, retry_when=transient(12))
def appointment_email(topic: str, payload: dict) -> None:
    """Confirmation, reschedule or cancellation notice, keyed by the event (one email per event)."""
    kind = KINDS[topic]
    appointment_id = payload["appointment_id"]
    key = f"{kind}:{appointment_id}:e{payload.get('event_id', 0)}"
    details = {"cause": payload.get("cause")} if kind == "cancelled" else {}
    with transaction(runtime.sessions()) as session:
        delivery_id = notifications.ensure(session, key=key, kind=kind, appointment_id=appointment_id,
                                           details=details)
    runtime.sender().deliver([delivery_id], batch=False)


# Reminder batches also carry a per-message max_age ending at their earliest start (set by the relay).
@dramatiq.actor(actor_name="send_deliveries", max_retries=12, min_backoff=1_000, max_backoff=120_000,
                max_age=12 * HOUR_MS, time_limit=300_000, retry_when=transient(12))
def send_deliveries(topic: str, payload: dict) -> None:
    """Deliveries found due by a sweep, up to 100 per provider batch call."""
    runtime.sender().deliver(payload["delivery_ids"], batch=payload.get("batch", True))


@dramatiq.actor(actor_name="noshow_followup", max_retries=12, min_backoff=1_000, max_backoff=300_000,
                max_age=48 * HOUR_MS, time_limit=120_000, retry_when=transient(12))
def noshow_followup(topic: str, payload: dict) -> None:
    """One follow-up per no-show (marked by a doctor or by the sweep) and the 3-in-90-days flag."""
    if payload.get("status") != "no_show" or payload.get("cause") == "system":
        return  # the no-show sweep already scheduled the follow-up (in a batch) and flagged the patient
    appointment_id = payload["appointment_id"]
    with transaction(runtime.sessions()) as session:
        patient_id = session.execute(notifications.PATIENT_OF, {"id": appointment_id}).scalar()
        if patient_id is None:
            return
        delivery_id = notifications.ensure(session, key=f"noshow:{appointment_id}", kind="noshow",
                                           appointment_id=appointment_id, recipient_id=patient_id)
        flag_repeat_no_shows(session, patient_id=patient_id, now=utcnow())
    runtime.sender().deliver([delivery_id], batch=False)
