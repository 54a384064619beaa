"""The outbox relay loop, run by the scheduler process and, as a thread, by every worker process.

It relays as soon as PostgreSQL NOTIFYs a new outbox row (a trigger on the table, fired at commit) and
every second regardless. Several loops at once are safe: rows are taken FOR UPDATE SKIP LOCKED.
Running it in the workers too means confirmations flow with only `web` and `worker` up.
"""
from __future__ import annotations

import logging
import select
import threading
from collections.abc import Callable

import dramatiq
import psycopg

from clinic.db import normalize_url
from clinic.outbox.relay import relay_all

log = logging.getLogger("relay")


def _listen(url: str) -> psycopg.Connection:
    dsn = normalize_url(url).replace("postgresql+psycopg://", "postgresql://")
    conn = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    conn.execute("LISTEN outbox")
    return conn


def wait_for_outbox(listener: psycopg.Connection, timeout: float) -> None:
    """Return after a NOTIFY on 'outbox' or after `timeout` seconds."""
    ready, _, _ = select.select([listener.fileno()], [], [], timeout)
    if ready:
        for _ in listener.notifies(timeout=0):
            pass


def run(factory, database_url: str, *, stopping: Callable[[], bool], every: float = 1.0,
        before_relay: Callable[[], None] | None = None) -> None:
    """Relay until `stopping()`; `before_relay` (the scheduler's sweeps) runs first on each pass."""
    from workers.dispatch import dispatch

    listener = None
    while not stopping():
        try:
            if before_relay is not None:
                before_relay()
            relay_all(factory, dispatch)
        except Exception:  # noqa: BLE001 — outlive a database or Redis outage: rows wait in the outbox
            log.exception("relay pass failed; retrying")
        try:
            listener = listener or _listen(database_url)
            wait_for_outbox(listener, every)
        except Exception:  # noqa: BLE001 — without LISTEN the 1 s poll still relays everything
            if listener is not None:
                listener.close()
            listener = None
            threading.Event().wait(every)


class OutboxRelay(dramatiq.Middleware):
    """Runs the relay loop in a daemon thread of each worker process (OUTBOX_RELAY_IN_WORKERS=0 turns it off)."""

    def __init__(self, database_url: str, enabled: bool = True):
        self.database_url = database_url
        self.enabled = enabled
        self._stop = threading.Event()

    def after_worker_boot(self, broker, worker) -> None:
        if not self.enabled:
            return
        from workers import runtime

        threading.Thread(target=run, name="outbox-relay", daemon=True,
                         args=(runtime.sessions(), self.database_url),
                         kwargs={"stopping": self._stop.is_set}).start()

    def before_worker_shutdown(self, broker, worker) -> None:
        self._stop.set()
