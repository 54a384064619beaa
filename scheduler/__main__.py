"""`python -m scheduler [--once] [--at ISO-8601]` (the async engine issue fills in the sweeps)."""
from __future__ import annotations

import argparse
import signal
import sys
import time
from datetime import datetime, timezone


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run every sweep once and exit")
    parser.add_argument("--at", type=datetime.fromisoformat, default=None,
                        help="run as of this instant (ISO 8601 with offset); default now")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    at = args.at or datetime.now(timezone.utc)
    if args.once:
        return 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
