"""Writing to the outbox. clinic/outbox/relay.py drains it (run by workers/relay_loop.py in the worker and scheduler)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.outbox.models import OutboxMessage


def emit(session: Session, topic: str, **payload) -> None:
    """Queue a message for the workers; it leaves only if the surrounding transaction commits."""
    session.add(OutboxMessage(topic=topic, payload=payload))
