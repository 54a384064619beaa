"""SMS actors: reminder texts found due by the sweep (at most once each: clinic.sms.sender)."""

from __future__ import annotations

import dramatiq

from clinic.notifications import reminders
from clinic.unit_of_work import UnitOfWork
from workers import runtime
from workers.retry import transient

HOUR_MS = 3_600_000


# Like the email batches, each message also carries a max_age ending at its earliest start (set by the relay).
@dramatiq.actor(
    actor_name="send_sms",
    max_retries=8,
    min_backoff=2_000,
    max_backoff=120_000,
    max_age=12 * HOUR_MS,
    time_limit=300_000,
    retry_when=transient(8),
)
def send_sms(topic: str, payload: dict) -> None:
    """Reminder SMS/WhatsApp messages, one Twilio request each (their rows made first, as for the emails)."""
    with UnitOfWork(runtime.sessions()) as uow:
        delivery_ids = reminders.deliveries_of(uow.session, topic=topic, payload=payload)
    runtime.sms_sender().deliver(delivery_ids)
