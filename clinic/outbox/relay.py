"""The outbox relay: hands committed outbox rows to the message broker, then marks them relayed.

Rows are taken in id order in batches with FOR UPDATE SKIP LOCKED, so two relays never hand over the
same row twice at once. A row is marked only after `dispatch` returned: if the broker is down the
transaction rolls back and the rows wait for the next pass (delivery is at least once; consumers are
idempotent).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from clinic.outbox import store
from clinic.unit_of_work import UnitOfWork

Row = tuple[int, str, dict]


def relay_batch(factory: sessionmaker[Session], dispatch: Callable[[list[Row]], None], *, limit: int = 500) -> int:
    """Relay up to `limit` rows; returns how many."""
    with UnitOfWork(factory) as uow:
        session = uow.session
        rows = store.take_pending(session, limit=limit)
        if not rows:
            return 0
        dispatch(rows)
        store.mark_relayed(session, ids=[r[0] for r in rows])
    return len(rows)


def relay_all(factory: sessionmaker[Session], dispatch: Callable[[list[Row]], None], *, limit: int = 500) -> int:
    """Relay until nothing is pending; returns the total."""
    total = 0
    while True:
        n = relay_batch(factory, dispatch, limit=limit)
        total += n
        if n < limit:
            return total
