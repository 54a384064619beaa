"""The scheduler's work: the periodic rules of each domain (each under an advisory lock) and the outbox relay.

SWEEPS lists every periodic rule the scheduler runs, each where its domain keeps it. A rule takes the
session and the instant to run as of (`now`, `settings`) and returns how many items it found.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from clinic.appointments import no_shows
from clinic.availability import slot_versions
from clinic.clock import utcnow
from clinic.db import try_xact_lock
from clinic.notifications import reminders
from clinic.outbox.relay import relay_all
from clinic.settings import Settings
from clinic.waitlist import service as waitlist
from clinic.unit_of_work import UnitOfWork
from workers.dispatch import dispatch
from workers.live_publisher import with_live_events

log = logging.getLogger("scheduler")

Sweep = Callable[..., int]  # (session, *, now: datetime, settings: Settings) -> how many items it found

# Run in this order on each pass. The names key the advisory locks below: keep them stable.
SWEEPS: dict[str, Sweep] = {
    "reminders": reminders.reminders,
    "sms_reminders": reminders.sms_reminders,
    "agendas": reminders.agendas,
    "no_shows": no_shows.no_shows,
    "expired_holds": waitlist.expire_holds,
    "slot_changes": slot_versions.fold,
}

# One advisory lock per sweep: a second scheduler skips a sweep the first is running (the deliveries'
# unique keys would make it a no-op anyway, but without the wasted work or lock waits).
LOCK_NAMESPACE = 84200
LOCK_IDS = {name: i for i, name in enumerate(sorted(SWEEPS), start=1)}


def run_sweeps(factory: sessionmaker[Session], settings: Settings, *, at: datetime) -> dict[str, int | None]:
    """Run every sweep once as of `at` (no-shows never run ahead of the real clock). None: skipped (locked)."""
    results: dict[str, int | None] = {}
    for name, sweep in SWEEPS.items():
        now = min(at, utcnow()) if name == "no_shows" else at
        started = time.perf_counter()
        with UnitOfWork(factory) as uow:
            session = uow.session
            locked = try_xact_lock(session, LOCK_NAMESPACE, LOCK_IDS[name])
            results[name] = sweep(session, now=now, settings=settings) if locked else None
        log.info(
            "sweep %s found %s in %.0f ms",
            name,
            results[name],
            (time.perf_counter() - started) * 1000,
            extra={"task": name},
        )
    return results


def relay(factory: sessionmaker[Session]) -> int:
    return relay_all(factory, with_live_events(dispatch, factory))
