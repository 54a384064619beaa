"""Entry point of the worker process (`dramatiq workers.main:boot`) and of anything else that sends to actors."""

from __future__ import annotations

from dramatiq.brokers.redis import RedisBroker

from clinic.settings import Settings
from workers import runtime
from workers.broker import setup_broker


def boot(settings: Settings | None = None) -> RedisBroker:
    """Configure the broker, then declare every actor on it (actors bind to the broker set when declared)."""
    broker = setup_broker(runtime.configure(settings or Settings.from_env()))
    from workers import actors  # noqa: F401  (declares every actor; see workers/subscriptions.py)

    return broker
