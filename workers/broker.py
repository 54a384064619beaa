"""The one Redis broker, configured before any actor is declared."""
from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from clinic import logs
from clinic.observability import init_sentry
from clinic.settings import Settings

settings = Settings.from_env()
logs.configure()
if settings.sentry_dsn:
    from sentry_sdk.integrations.dramatiq import DramatiqIntegration

    init_sentry(settings.sentry_dsn, integrations=[DramatiqIntegration()], environment=settings.environment)

broker = RedisBroker(url=settings.redis_url)
dramatiq.set_broker(broker)
