"""`python -m scheduler [--once] [--at ISO-8601]`: runs the sweeps and relays the outbox to the workers.

The loop relays the outbox four times a second (workers.relay_loop), so a confirmation leaves within a
fraction of a second of the booking's commit; it runs the sweeps every SCHEDULER_SWEEP_SECONDS (60).
If Redis is down the relay keeps retrying: rows stay in the outbox.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from datetime import datetime, timezone

from clinic import logs
from clinic.db import make_engine, make_session_factory
from clinic.settings import Settings
from scheduler import jobs
from workers import relay_loop
from workers.dispatch import missing_actors
from workers.main import boot

log = logging.getLogger("scheduler")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run every sweep once and exit")
    parser.add_argument(
        "--at", type=_instant, default=None, help="run as of this instant (ISO 8601 with offset); default now"
    )
    return parser.parse_args(argv)


def _instant(value: str) -> datetime:
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings.from_env()
    logs.configure()
    broker = boot(settings)  # the broker, and every actor the relay sends to
    if missing := missing_actors(broker):
        log.error("subscriptions name actors that are not declared: %s", ", ".join(missing))
    factory = make_session_factory(
        make_engine(
            settings.database_url,
            pool_size=2,
            max_overflow=2,
            prepared_statements=settings.database_prepared_statements,
        )
    )
    if args.once:
        jobs.run_sweeps(factory, settings, at=args.at or datetime.now(timezone.utc))
        relayed = jobs.relay(factory)
        log.info("relayed %d outbox messages", relayed)
        return 0
    return loop(factory, settings)


def loop(factory, settings: Settings) -> int:
    stop: list[int] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    next_sweep = [0.0]

    def sweeps_when_due() -> None:
        if time.monotonic() >= next_sweep[0]:
            next_sweep[0] = time.monotonic() + settings.sweep_interval_seconds
            jobs.run_sweeps(factory, settings, at=datetime.now(timezone.utc))

    relay_loop.run(factory, stopping=lambda: bool(stop), before_relay=sweeps_when_due)
    return 0


if __name__ == "__main__":
    sys.exit(main())
