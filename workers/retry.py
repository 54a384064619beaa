"""Which failures an actor retries: only transient ones, and only a bounded number of times."""

from __future__ import annotations

import redis
from sqlalchemy.exc import OperationalError

from clinic.notifications.mailer import TransientSendError

TRANSIENT = (
    TransientSendError,
    OperationalError,
    redis.ConnectionError,
    redis.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def transient(max_retries: int):
    """A `retry_when` for Dramatiq (which then ignores `max_retries`, so the bound lives here)."""

    def retry_when(retries: int, exception: Exception) -> bool:
        return retries < max_retries and isinstance(exception, TRANSIENT)

    return retry_when
