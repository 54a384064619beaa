"""Subscription feeds are rebuilt here, so that serving one is a single read of stored bytes."""

from __future__ import annotations

import dramatiq

from clinic.calendars import feeds
from clinic.unit_of_work import UnitOfWork
from workers import runtime  # shared pool; hide_parameters keeps stored documents out of error logs


# Subscribed to every appointment topic and to calendar.feed_created (workers/subscriptions.py).
# Rebuilding from the current state is idempotent, so redelivery is harmless; the row lock in
# feeds.rebuild orders concurrent rebuilds of one feed.
@dramatiq.actor(
    actor_name="rebuild_calendar_feeds",
    max_retries=5,
    min_backoff=1_000,
    max_backoff=30_000,
    max_age=3_600_000,
    time_limit=60_000,
)
def rebuild_calendar_feeds(topic: str, payload: dict) -> None:
    with UnitOfWork(runtime.sessions()) as uow:
        feeds.rebuild_for_message(
            uow.session, topic=topic, payload=payload, horizon_days=runtime.settings().horizon_days
        )
