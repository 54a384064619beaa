"""Email actors: event emails (with the invite), sweep batches, no-show follow-ups, password resets."""

from __future__ import annotations

import dramatiq

from clinic.clock import utcnow
from clinic.notifications import events, reminders
from clinic.unit_of_work import UnitOfWork
from workers import runtime
from workers.retry import transient

HOUR_MS = 3_600_000


@dramatiq.actor(
    actor_name="appointment_email",
    max_retries=12,
    min_backoff=1_000,
    max_backoff=300_000,
    max_age=24 * HOUR_MS,
    time_limit=120_000,
    retry_when=transient(12),
)
def appointment_email(topic: str, payload: dict) -> None:
    """Confirmation, reschedule or cancellation notice, keyed by the event (one email per event)."""
    with UnitOfWork(runtime.sessions()) as uow:
        delivery_id = events.event_delivery(uow.session, topic=topic, payload=payload)
    runtime.sender().deliver([delivery_id], batch=False)


# Reminder batches also carry a per-message max_age ending at their earliest start (set by the relay).
@dramatiq.actor(
    actor_name="send_deliveries",
    max_retries=12,
    min_backoff=1_000,
    max_backoff=120_000,
    max_age=12 * HOUR_MS,
    time_limit=300_000,
    retry_when=transient(12),
)
def send_deliveries(topic: str, payload: dict) -> None:
    """Deliveries found due by a sweep (reminders, agendas, no-show follow-ups), up to 100 per provider batch
    call. A reminder sweep's message names the reminders: their rows are made first."""
    with UnitOfWork(runtime.sessions()) as uow:
        delivery_ids = reminders.deliveries_of(uow.session, topic=topic, payload=payload)
    runtime.sender().deliver(delivery_ids, batch=payload.get("batch", True))


@dramatiq.actor(
    actor_name="noshow_followup",
    max_retries=12,
    min_backoff=1_000,
    max_backoff=300_000,
    max_age=48 * HOUR_MS,
    time_limit=120_000,
    retry_when=transient(12),
)
def noshow_followup(topic: str, payload: dict) -> None:
    """One follow-up per no-show (marked by a doctor or by the sweep) and the 3-in-90-days flag."""
    with UnitOfWork(runtime.sessions()) as uow:
        delivery_id = events.noshow_followup(uow.session, payload=payload, now=utcnow())
    if delivery_id is not None:
        runtime.sender().deliver([delivery_id], batch=False)


@dramatiq.actor(
    actor_name="password_reset_email",
    max_retries=8,
    min_backoff=1_000,
    max_backoff=60_000,
    max_age=HOUR_MS,
    time_limit=60_000,
    retry_when=transient(8),
)
def password_reset_email(topic: str, payload: dict) -> None:
    """The password-reset link, or a walk-in's set-password link (account.invited)."""
    with UnitOfWork(runtime.sessions()) as uow:
        delivery_id = events.password_reset_delivery(uow.session, payload=payload, topic=topic)
    runtime.sender().deliver([delivery_id], batch=False)


@dramatiq.actor(
    actor_name="account_email",
    max_retries=12,
    min_backoff=1_000,
    max_backoff=300_000,
    max_age=24 * HOUR_MS,
    time_limit=120_000,
    retry_when=transient(12),
)
def account_email(topic: str, payload: dict) -> None:
    """The address verification link, or the notice that someone tried to sign up with a taken address."""
    with UnitOfWork(runtime.sessions()) as uow:
        delivery_id = events.account_delivery(uow.session, topic=topic, payload=payload)
    runtime.sender().deliver([delivery_id], batch=False)
