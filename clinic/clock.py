"""The current instant, in one place so that tests and `--at` runs can fix it."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
