"""A unit of work per use case (clinic.unit_of_work), opened around each view by its decorator.

- `@unit_of_work()`: the view's changes are one transaction, committed before the answer leaves when the
  view returns, rolled back when it raises (or answers an error of its own, 4xx or 5xx). The error
  handlers then only write the answer: nothing is left to commit or roll back.
- `@unit_of_work(reads_only=True)`, for GET views that never write, and `@unit_of_work(one_statement=True)`,
  for views that change the database in at most one statement (which commits by itself, or fails and
  changes nothing): on the thread's autocommit connection, where PostgreSQL makes each statement a
  transaction of its own: no BEGIN and COMMIT round trips.
- `session()` is the session of the request's current unit. Outside a view's unit (the account check
  before the view, or after it) it is a read-only unit's, on the autocommit connection, opened on first use
  and closed when the request ends; a read-only or one-statement view carries on with that same session.
"""

from __future__ import annotations

import functools
import select
import threading
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from clinic.db import AUTOCOMMIT_CONNECTION, make_engine
from clinic.unit_of_work import UnitOfWork

# No pre-ping round trip before each use: a connection that died meanwhile fails its request (503),
# SQLAlchemy invalidates it and the next request gets a new one (see HeldSessions).
ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_recycle": 1800}


def unit_of_work(*, reads_only: bool = False, one_statement: bool = False) -> Callable:
    """Run the view as one use case: its own unit of work (see the module's rules)."""
    autocommit = reads_only or one_statement

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def run(*args, **kwargs):
            unit = _open(autocommit)
            failed = True
            try:
                result = view(*args, **kwargs)
                failed = _is_error(result)
                return result
            finally:
                g.pop("db_unit", None)
                unit.end(failed=failed)

        return run

    return decorate


def session() -> Session:
    """The current unit's session (a read-only unit's outside a view's: see the module's rules)."""
    unit = g.get("db_unit")
    if unit is None:
        unit = g.db_unit = UnitOfWork(_factory(autocommit=True), autocommit=True).begin()
    return unit.session


def _open(autocommit: bool) -> UnitOfWork:
    held = g.pop("db_unit", None)  # the read-only unit of the account check, if it ran
    if held is not None:
        if autocommit:
            g.db_unit = held
            return held
        held.end(failed=True)  # it only read: nothing to commit
    unit = g.db_unit = UnitOfWork(_factory(autocommit), autocommit=autocommit).begin()
    return unit


def _factory(autocommit: bool) -> Callable[[], Session]:
    extensions = current_app.extensions
    if autocommit:
        return extensions.get("db_autocommit_sessionmaker") or extensions["db_sessionmaker"]
    return extensions["db_sessionmaker"]


def _is_error(result) -> bool:
    """Whether a view's return value is an error answer (a Response, or a tuple naming its status)."""
    if isinstance(result, Response):
        return result.status_code >= 400
    if isinstance(result, tuple) and len(result) > 1 and isinstance(result[1], int):
        return result[1] >= 400
    return False


class HeldSessions:
    """Sessions bound to one connection held by each worker thread, instead of a pool checkout per request.

    A sync worker thread serves one request at a time, so its connection need not go back to the pool
    in between: binding each request's session to a held connection skips the pool's checkout and
    return (~30 µs a request). The unit of work still owns the transaction: its session begins one on first
    use and the unit commits or rolls it back; a connection handed out still inside a transaction (a request
    that died half way) is rolled back first. One that failed (SQLAlchemy invalidates it), was closed,
    or outlived the pool's recycle age is replaced on the next request, and so is one whose server closed it
    while it was idle (a poll of its socket, `_poller`).
    """

    def __init__(self, engine: Engine, *, autocommit: bool = False) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT") if autocommit else engine
        self.autocommit = autocommit
        self.local = threading.local()

    def __call__(self) -> Session:
        conn = getattr(self.local, "conn", None)
        if conn is not None and self.local.poller.poll(0) and not conn.closed and not conn.invalidated:
            # The server closed it while idle (a restart or failover sends a termination notice and closes
            # the socket, which then reads as ready): a new connection now, instead of a 503 on the dead one.
            conn.invalidate()
        if conn is None or conn.closed or conn.invalidated or time.monotonic() > self.local.retire_at:
            if conn is not None:
                conn.close()
            conn = self.local.conn = self.engine.connect()
            self.local.poller = _poller(conn)
            self.local.retire_at = time.monotonic() + ENGINE_OPTIONS["pool_recycle"]
        elif conn.in_transaction():
            conn.rollback()
        session = Session(bind=conn, expire_on_commit=False)
        if self.autocommit:
            session.info[AUTOCOMMIT_CONNECTION] = conn  # hot statements skip the session's bookkeeping
        return session


def _poller(conn):
    """A zero-timeout readability check of the connection's socket (~1 µs, not a round trip like a
    pre-ping): an idle connection has nothing to read unless the server closed it."""
    poller = select.poll()  # not select.select: no limit on the descriptor's number
    poller.register(conn.connection.driver_connection.pgconn.socket, select.POLLIN)
    return poller


def make_factories(database_url: str, *, prepared_statements: bool = True) -> tuple:
    engine: Engine = make_engine(database_url, prepared_statements=prepared_statements, **ENGINE_OPTIONS)
    return HeldSessions(engine), HeldSessions(engine, autocommit=True)


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def close(exc: BaseException | None) -> None:
        unit = g.pop("db_unit", None)
        if unit is not None:  # a read-only unit (a view's ended with the view): nothing to commit
            unit.end(failed=True)
