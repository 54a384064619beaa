"""Hands outbox rows to Dramatiq: one message per subscribed actor, with the outbox id as `event_id`."""

from __future__ import annotations

import time
from datetime import datetime

import dramatiq

from workers.subscriptions import SUBSCRIPTIONS


def missing_actors(broker: dramatiq.Broker) -> list[str]:
    """Subscribed actor names that no imported actor module declares (a test asserts there are none)."""
    return sorted({n for names in SUBSCRIPTIONS.values() for n in names} - set(broker.get_declared_actors()))


def _max_age_ms(payload: dict) -> int | None:
    """A message whose work is worthless after `expires_at` (a reminder after the start) dies with it."""
    expires = payload.get("expires_at")
    if not expires:
        return None
    return max(int((datetime.fromisoformat(expires).timestamp() - time.time()) * 1000), 1_000)


def dispatch(rows: list[tuple[int, str, dict]]) -> None:
    broker = dramatiq.get_broker()
    declared = {name: broker.get_actor(name) for name in broker.get_declared_actors()}
    for event_id, topic, payload in rows:
        body = {**payload, "event_id": event_id}
        options = {}
        max_age = _max_age_ms(payload)
        if max_age is not None:
            options["max_age"] = max_age
        for name in SUBSCRIPTIONS.get(topic, ()):
            if name not in declared:
                continue  # logged at start-up; one missing actor must not hold every other message back
            broker.enqueue(declared[name].message_with_options(args=(topic, body), **options))
