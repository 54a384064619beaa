"""Cascade and waitlist actors: cancelling what time off or a deactivation overlaps; offering freed slots."""

from __future__ import annotations

import dramatiq

from clinic.clock import utcnow
from clinic.appointments import cascades
from clinic.notifications import events as notification_events
from clinic.unit_of_work import UnitOfWork
from workers import runtime
from workers.retry import transient

HOUR_MS = 3_600_000


@dramatiq.actor(
    actor_name="cancel_cascade",
    max_retries=10,
    min_backoff=1_000,
    max_backoff=120_000,
    max_age=24 * HOUR_MS,
    time_limit=600_000,
    retry_when=transient(10),
)
def cancel_cascade(topic: str, payload: dict) -> None:
    """Cancel each overlapping appointment in its own transaction (a retry skips those already done)."""
    with UnitOfWork(runtime.sessions()) as uow:
        ids = cascades.targets(uow.session, topic=topic, payload=payload, now=utcnow())
    for appointment_id in ids:
        with UnitOfWork(runtime.sessions()) as uow:
            cascades.cancel_one(uow.session, appointment_id=appointment_id, topic=topic, now=utcnow())


@dramatiq.actor(
    actor_name="offer_waitlist",
    max_retries=10,
    min_backoff=1_000,
    max_backoff=120_000,
    max_age=6 * HOUR_MS,
    time_limit=120_000,
    retry_when=transient(10),
)
def offer_waitlist(topic: str, payload: dict) -> None:
    """A slot freed up (cancellation, or a hold that lapsed): hold it for the next waiting patient and tell them.
    A booking (or a move) by a held patient uses up their hold."""
    with UnitOfWork(runtime.sessions()) as uow:
        delivery_id = notification_events.waitlist_offer(
            uow.session, topic=topic, payload=payload, now=utcnow(), settings=runtime.settings()
        )
    if delivery_id is not None:
        runtime.sender().deliver([delivery_id], batch=False)
