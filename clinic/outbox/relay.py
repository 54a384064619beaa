"""The outbox relay: hands committed outbox rows to the message broker, then marks them relayed.

Rows are taken in id order in batches with FOR UPDATE SKIP LOCKED, so two relays never hand over the
same row twice at once. A row is marked only after `dispatch` returned: if the broker is down the
transaction rolls back and the rows wait for the next pass (delivery is at least once; consumers are
idempotent).
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from clinic.unit_of_work import UnitOfWork

Row = tuple[int, str, dict]

_TAKE = text("""
    SELECT id, topic, payload FROM outbox WHERE relayed_at IS NULL
    ORDER BY id LIMIT :n FOR UPDATE SKIP LOCKED
""")
_MARK = text("UPDATE outbox SET relayed_at = now() WHERE id = ANY(CAST(:ids AS bigint[]))")


def relay_batch(factory: sessionmaker[Session], dispatch: Callable[[list[Row]], None], *, limit: int = 500) -> int:
    """Relay up to `limit` rows; returns how many."""
    with UnitOfWork(factory) as uow:
        session = uow.session
        rows = [tuple(r) for r in session.execute(_TAKE, {"n": limit})]
        if not rows:
            return 0
        dispatch(rows)
        session.execute(_MARK, {"ids": [r[0] for r in rows]})
    return len(rows)


def relay_all(factory: sessionmaker[Session], dispatch: Callable[[list[Row]], None], *, limit: int = 500) -> int:
    """Relay until nothing is pending; returns the total."""
    total = 0
    while True:
        n = relay_batch(factory, dispatch, limit=limit)
        total += n
        if n < limit:
            return total
