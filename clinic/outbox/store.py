"""The outbox's SQL: taking pending rows for the relay and marking them relayed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.db import execute, fetch_all

_TAKE = """
    SELECT id, topic, payload FROM outbox WHERE relayed_at IS NULL
    ORDER BY id LIMIT %(n)s FOR UPDATE SKIP LOCKED
"""
_MARK = "UPDATE outbox SET relayed_at = now() WHERE id = ANY(CAST(%(ids)s AS bigint[]))"


def take_pending(session: Session, *, limit: int) -> list[tuple[int, str, dict]]:
    """Up to `limit` unrelayed rows `(id, topic, payload)` in id order, locked until commit; rows another
    relay holds are skipped."""
    return [(row.id, row.topic, row.payload) for row in fetch_all(session, _TAKE, {"n": limit})]


def mark_relayed(session: Session, *, ids: list[int]) -> None:
    execute(session, _MARK, {"ids": ids})
