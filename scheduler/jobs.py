"""The scheduler's work: the sweeps (each under an advisory lock) and the outbox relay."""
from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from clinic.clock import utcnow
from clinic.outbox.relay import relay_all
from clinic.settings import Settings
from clinic.sweeps import due
from clinic.unit_of_work import UnitOfWork
from workers.dispatch import dispatch
from workers.live_publisher import with_live_events

log = logging.getLogger("scheduler")

# One advisory lock per sweep: a second scheduler skips a sweep the first is running (the deliveries'
# unique keys would make it a no-op anyway, but without the wasted work or lock waits).
LOCK_NAMESPACE = 84200
LOCK_IDS = {name: i for i, name in enumerate(sorted(due.SWEEPS), start=1)}


def run_sweeps(factory: sessionmaker[Session], settings: Settings, *, at: datetime) -> dict[str, int | None]:
    """Run every sweep once as of `at` (no-shows never run ahead of the real clock). None: skipped (locked)."""
    results: dict[str, int | None] = {}
    for name, sweep in due.SWEEPS.items():
        now = min(at, utcnow()) if name == "no_shows" else at
        started = time.perf_counter()
        with UnitOfWork(factory) as uow:
            locked = uow.session.scalar(text("SELECT pg_try_advisory_xact_lock(:ns, :id)"),
                                        {"ns": LOCK_NAMESPACE, "id": LOCK_IDS[name]})
            results[name] = sweep(uow.session, now=now, settings=settings) if locked else None
        log.info("sweep %s found %s in %.0f ms", name, results[name], (time.perf_counter() - started) * 1000,
                 extra={"task": name})
    return results


def relay(factory: sessionmaker[Session]) -> int:
    return relay_all(factory, with_live_events(dispatch, factory))
