"""The one Redis broker, configured explicitly by `setup_broker` before any actor is declared."""

from __future__ import annotations

import logging
import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from clinic import logs
from clinic.observability import init_sentry
from clinic.settings import Settings
from workers.relay_loop import OutboxRelay

_configured: RedisBroker | None = None


def setup_broker(settings: Settings) -> RedisBroker:
    """Logging, Sentry (when a DSN is set) and the Redis broker with the outbox relay; once per process."""
    global _configured
    if _configured is not None:
        return _configured
    _one_json_handler()
    if settings.sentry_dsn:
        from sentry_sdk.integrations.dramatiq import DramatiqIntegration

        init_sentry(settings.sentry_dsn, integrations=[DramatiqIntegration()], environment=settings.environment)
    # A SIGKILLed worker's unacknowledged messages return to the queue once its heartbeat is older than
    # heartbeat_timeout, found by a maintenance pass that runs on a random fraction (per million) of broker
    # calls. Defaults are Dramatiq's (60 s, 1,000 per million); tests make requeue prompt.
    broker = RedisBroker(
        url=settings.redis_url,
        heartbeat_timeout=int(os.environ.get("DRAMATIQ_HEARTBEAT_TIMEOUT_MS") or 60_000),
        maintenance_chance=int(os.environ.get("DRAMATIQ_MAINTENANCE_CHANCE") or 1000),
    )
    # The outbox relay also runs inside each worker process (see workers/relay_loop.py).
    broker.add_middleware(OutboxRelay(enabled=os.environ.get("OUTBOX_RELAY_IN_WORKERS", "1") != "0"))
    dramatiq.set_broker(broker)
    _configured = broker
    return broker


def _one_json_handler() -> None:
    """`dramatiq` calls logging.basicConfig() in each worker unless --skip-logging: drop its plain-text handler
    so that every record is printed once, as one JSON line."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if not getattr(handler, "_clinic", False):
            root.removeHandler(handler)
    logs.configure()
