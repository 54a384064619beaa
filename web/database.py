"""One session per request; the request owns the transaction.

Views marked `@read_only` or `@one_statement` run on an autocommit connection, where PostgreSQL makes
each statement a transaction of its own: no BEGIN and COMMIT round trips around what is a single
consistent read, or a write done in one statement, anyway.
"""
from __future__ import annotations

import select
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app, g, request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from clinic.db import AUTOCOMMIT_CONNECTION, make_engine

# No pre-ping round trip before each use: a connection that died meanwhile fails its request (503),
# SQLAlchemy invalidates it and the next request gets a new one (see HeldSessions).
ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_recycle": 1800}


def read_only(view: Callable) -> Callable:
    """Declare that a GET view never writes: it may run without a transaction."""
    view.read_only = view.autocommit = True
    return view


def one_statement(view: Callable) -> Callable:
    """Declare that a view changes the database in at most one statement (which commits by itself, or
    fails and changes nothing): it may run without a transaction around it."""
    view.autocommit = True
    return view


def session() -> Session:
    if "db" not in g:
        transactional = current_app.extensions["db_sessionmaker"]
        factory = transactional
        if request and _view_is_autocommit():
            factory = current_app.extensions.get("db_autocommit_sessionmaker", transactional)
        g.db_autocommit = factory is not transactional
        g.db = factory()
    return g.db


def _view_is_autocommit() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "autocommit", False))


class HeldSessions:
    """Sessions bound to one connection held by each worker thread, instead of a pool checkout per request.

    A sync worker thread serves one request at a time, so its connection need not go back to the pool
    in between: binding each request's session to a held connection skips the pool's checkout and
    return (~30 µs a request). The session still owns the transaction: it begins one on first use and
    the request commits or rolls it back; a connection handed out still inside a transaction (a request
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
        db = g.pop("db", None)
        if db is not None:
            if exc is not None:
                db.rollback()
            db.close()


def finish(response):
    """Commit what a successful request changed; roll back a failed one."""
    db = g.get("db")
    if db is None or g.get("db_autocommit"):
        return response  # nothing to commit: each statement of an autocommit session committed itself
    if response.status_code < 400:
        db.commit()
    else:
        db.rollback()
    return response
