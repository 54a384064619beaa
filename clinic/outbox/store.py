"""The outbox's SQL: taking pending rows for the relay and marking them relayed, and the fragment that turns
delivery rows a sweep just inserted into outbox messages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.db import execute, fetch_all
from clinic.topics import Topic

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


def enqueue_deliveries(topic: Topic) -> str:
    """The end of a sweep statement whose CTE `ins` returns the delivery rows just inserted as (id, expires):
    it groups them into outbox messages of `topic` of up to 100 ids (soonest first), each expiring at its
    earliest appointment start (reminders are worthless after it), and selects (found, messages)."""
    return f"""
chunks AS (SELECT (row_number() OVER (ORDER BY expires, id) - 1) / 100 AS n, id, expires FROM ins),
msgs AS (
  INSERT INTO outbox (topic, payload)
  SELECT '{topic}', jsonb_strip_nulls(jsonb_build_object(
           'delivery_ids', jsonb_agg(id ORDER BY id), 'batch', true, 'expires_at', min(expires)))
  FROM chunks GROUP BY n RETURNING 1)
SELECT (SELECT count(*) FROM ins) AS found, (SELECT count(*) FROM msgs) AS messages
"""
