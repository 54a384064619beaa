"""Engine, session factory and the declarative base shared by every model."""

from __future__ import annotations

import os
import threading
from datetime import datetime

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import DateTime, MetaData, create_engine, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


def normalize_url(url: str) -> str:
    """Use psycopg 3 whatever scheme the host hands out (`postgres://`, `postgresql://`)."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, prepared_statements: bool = True, **kwargs) -> Engine:
    """`prepared_statements=False` (DATABASE_PREPARED_STATEMENTS=0): no named server-side prepared statement
    is ever created, for a pooler in transaction mode that cannot follow them across server connections
    (PgBouncer before 1.21, or without `max_prepared_statements`): psycopg's automatic preparation is off
    and `first_row` runs its statements unprepared."""
    kwargs.setdefault("pool_pre_ping", True)
    if not prepared_statements:
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), "prepare_threshold": None}
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
    return create_engine(normalize_url(url), **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work (clinic.unit_of_work), which own their transactions."""
    return sessionmaker(bind=engine, expire_on_commit=False)


# Key of `Session.info` under which a session bound to an autocommit Connection may name it.
AUTOCOMMIT_CONNECTION = "autocommit_connection"


def first_row(session: Session, sql: str, params: dict) -> tuple | None:
    """First row of one statement, as a plain tuple in binary format: the fast path.

    For the statements on the hottest paths (the token check of every signed-in request, the slots
    query, the booking statement), where SQLAlchemy's execution layer costs about as much Python time
    as the round trip. Binary results: psycopg reads integer arrays (the slots query's busy intervals)
    far faster so. Only stores call it.
    """
    return _run(session, sql, params, binary=True, rows=None).fetchone()


def fetch_one(session: Session, sql: str, params: dict | None = None) -> Row | None:
    """The first row of a statement (a named tuple: `row.id` or `row[0]`), or None."""
    return _run(session, sql, params, rows=namedtuple_row).fetchone()


def fetch_all(session: Session, sql: str, params: dict | None = None) -> list[Row]:
    """Every row of a statement, as named tuples."""
    return _run(session, sql, params, rows=namedtuple_row).fetchall()


def fetch_value(session: Session, sql: str, params: dict | None = None):
    """The first column of the first row (None when there is no row)."""
    row = _run(session, sql, params, rows=None).fetchone()
    return None if row is None else row[0]


def execute(session: Session, sql: str, params: dict | None = None) -> int:
    """Run a statement that returns no rows; how many rows it changed."""
    return _run(session, sql, params, rows=None).rowcount


def try_xact_lock(session: Session, namespace: int, key: int) -> bool:
    """Take the advisory lock (namespace, key) until the transaction ends, unless another transaction holds
    it (False, at once: no wait)."""
    return fetch_value(session, "SELECT pg_try_advisory_xact_lock(%(ns)s, %(key)s)", {"ns": namespace, "key": key})


def ping(session: Session) -> None:
    """One round trip to PostgreSQL on the session's connection (readiness probes); raises what it raises."""
    execute(session, "SELECT 1")


# Called with (sql, params) after each statement run here (tests that count round trips). SQLAlchemy's cursor
# events are not fired for these statements: their listeners (Sentry's SQL spans among them) expect an
# execution context SQLAlchemy builds, and raised without one.
STATEMENT_HOOKS: list = []


Row = tuple  # what fetch_one/fetch_all return: named tuples (psycopg's namedtuple_row)


def _run(session: Session, sql: str, params: dict | None, *, rows, binary: bool = False) -> psycopg.Cursor:
    """Run one statement straight on the session's psycopg connection: the one way stores reach SQL.

    Same connection and transaction as the session (ORM changes still pending are flushed first, as
    `session.execute` would), server-side prepared by psycopg's own threshold unless the engine was made
    without prepared statements (see `make_engine`). SQL uses psycopg's `%(name)s` placeholders (a
    literal `%` is written `%%`). Driver errors come out as SQLAlchemy's (a dead connection invalidated
    first), so callers and error handlers see what `session.execute` gives. STATEMENT_HOOKS see each
    statement (tests that count round trips).
    """
    # An autocommit connection the session was handed (see AUTOCOMMIT_CONNECTION) needs no transaction
    # of the session's begun around the statement, nor closed after it.
    connection = session.info.get(AUTOCOMMIT_CONNECTION)
    if connection is None:
        if session.new or session.dirty or session.deleted:
            session.flush()
        connection = session.connection()
    driver = connection.connection.driver_connection
    try:
        cursor = driver.cursor(binary=binary, row_factory=rows) if rows else driver.cursor(binary=binary)
        prepare = None if driver.prepare_threshold is not None else False  # False: prepared statements are off
        if binary and prepare is None:
            prepare = True  # the hot statements: prepared from their first use
        cursor.execute(sql, params, prepare=prepare)
        for hook in STATEMENT_HOOKS:
            hook(sql, params)
        return cursor
    except psycopg.Error as err:
        gone = connection.dialect.is_disconnect(err, driver, None)
        if gone:
            connection.invalidate(err)
        raise DBAPIError.instance(
            sql, params, err, psycopg.Error, connection_invalidated=gone, dialect=connection.dialect
        ) from err


class ThreadConnections:
    """One autocommit psycopg connection per thread, for a WSGI fast path that answers with one statement in
    front of the app's stack (web/feed_fast_path.py): no session, no pool checkout, no transaction.

    A thread's connection opens on first use, and again after a fork or after a failure. `first_row` is the
    session's binary fast path (prepared from the first use unless `prepared_statements` is off, see
    `make_engine`); a driver error closes the connection and comes out as SQLAlchemy's DBAPIError. Only
    stores call it.
    """

    def __init__(self, url: str, *, prepared_statements: bool = True, connect_timeout: int = 2) -> None:
        self.conninfo = normalize_url(url).replace("postgresql+psycopg://", "postgresql://", 1)
        self.prepare_threshold = 0 if prepared_statements else None  # None: never prepare (a pooler)
        self.connect_timeout = connect_timeout
        self.local = threading.local()

    def first_row(self, sql: str, params: dict) -> tuple | None:
        local = self.local
        conn = getattr(local, "conn", None)
        try:
            if conn is None or conn.closed or local.pid != os.getpid():
                conn = local.conn = psycopg.connect(
                    self.conninfo,
                    autocommit=True,
                    prepare_threshold=self.prepare_threshold,
                    connect_timeout=self.connect_timeout,
                )
                local.pid = os.getpid()
            return conn.execute(sql, params, binary=True).fetchone()  # bytea without hex decoding
        except psycopg.Error as err:
            local.conn = None  # replaced on the next use
            if conn is not None:
                conn.close()
            raise DBAPIError.instance(
                sql, params, err, psycopg.Error, hide_parameters=True, connection_invalidated=True
            ) from err
