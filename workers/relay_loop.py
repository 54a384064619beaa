"""The outbox relay loop, run by the scheduler process and, as a thread, by every worker process.

It polls for pending outbox rows every POLL_SECONDS (one query on the partial index `ix_outbox_pending`
when there is nothing to do), so a confirmation leaves within a fraction of a second of its commit. It does not
LISTEN for a NOTIFY at commit: NOTIFY serialises every committing transaction that sends one on a
database-wide lock (see migration 0006). Several loops at once are safe: rows are taken FOR UPDATE
SKIP LOCKED. Running it in the workers too means confirmations flow with only `web` and `worker` up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import dramatiq

from clinic.outbox.relay import relay_all
from workers import runtime
from workers.dispatch import dispatch
from workers.live_publisher import with_live_events

log = logging.getLogger("relay")

POLL_SECONDS = 0.25


def run(
    factory,
    *,
    stopping: Callable[[], bool],
    every: float = POLL_SECONDS,
    before_relay: Callable[[], None] | None = None,
) -> None:
    """Relay until `stopping()`; `before_relay` (the scheduler's sweeps) runs first on each pass."""
    relay = with_live_events(dispatch, factory)
    pause = threading.Event()
    while not stopping():
        try:
            if before_relay is not None:
                before_relay()
            relay_all(factory, relay)
        except Exception:  # noqa: BLE001 — outlive a database or Redis outage: rows wait in the outbox
            log.exception("relay pass failed; retrying")
        pause.wait(every)


class OutboxRelay(dramatiq.Middleware):
    """Runs the relay loop in a daemon thread of each worker process (OUTBOX_RELAY_IN_WORKERS=0 turns it off)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._stop = threading.Event()

    def after_worker_boot(self, broker, worker) -> None:
        if not self.enabled:
            return
        threading.Thread(
            target=run,
            name="outbox-relay",
            daemon=True,
            args=(runtime.sessions(),),
            kwargs={"stopping": self._stop.is_set},
        ).start()

    def before_worker_shutdown(self, broker, worker) -> None:
        self._stop.set()
