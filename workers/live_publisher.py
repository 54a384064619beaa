"""Publishes appointment changes for the live streams, from the outbox relay (after their commit).

The relay sees every committed appointment change, whoever made it (the web, a worker's cascade, the
scheduler), within a quarter of a second: right after handing a batch to the broker it reads the
appointments the batch names and publishes them on the Redis channel every web process listens to
(clinic/live/events.py, web/live.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

import redis

from clinic.live.events import appointment_ids, channel, encode, read_events
from workers import runtime

log = logging.getLogger("live")
Rows = list[tuple[int, str, dict]]


@cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(runtime.settings().redis_url, socket_timeout=2, socket_connect_timeout=2)


def publish(factory, rows: Rows) -> int:
    """Publish the appointments named by `rows`; returns how many events went out."""
    ids = appointment_ids(rows)
    if not ids:
        return 0
    with factory() as session:
        events = read_events(session, ids)
    client = _client()
    name = channel(int(client.connection_pool.connection_kwargs.get("db", 0)))
    pipe = client.pipeline(transaction=False)
    for event in events:
        pipe.publish(name, encode(event))
    pipe.execute()
    return len(events)


def with_live_events(dispatch: Callable[[Rows], None], factory) -> Callable[[Rows], None]:
    """`dispatch`, then publish the batch's appointment changes (on the process's REDIS_URL)."""

    def dispatch_and_publish(rows: Rows) -> None:
        dispatch(rows)
        try:
            publish(factory, rows)
        except (redis.RedisError, OSError):
            # A live event is a hint to refresh, not a message: losing one during a Redis outage must not
            # roll back (and so repeat) the batch's hand-over; the broker call above already failed then.
            log.warning("live events not published (Redis unavailable)")

    return dispatch_and_publish
