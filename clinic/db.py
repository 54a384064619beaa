"""Engine, session factory and the declarative base shared by every model."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import NamedTuple

import psycopg
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
            return "postgresql+psycopg://" + url[len(prefix):]
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
    return sessionmaker(bind=engine, expire_on_commit=False)


class Guard(NamedTuple):
    """A condition a statement must find true before it reads or writes anything else, evaluated in the
    same statement (e.g. that the caller's session is still valid: no round trip of its own).

    `sql` is a boolean SQL expression with its own `%(name)s` parameters in `params`; the caller raises
    `refusal` when the statement reports it false."""
    sql: str
    params: dict
    refusal: Exception


# Where a statement that accepts a guard puts its verdict: TRUE as written, the guard's SQL with one.
GUARD = "/*guard*/TRUE"


def with_guard(sql: str, params: dict, guard: Guard | None) -> tuple[str, dict]:
    """The statement (holding GUARD) and its parameters, with `guard` in place when there is one."""
    if guard is None:
        return sql, params
    return _guarded(sql, guard.sql), {**params, **guard.params}


@cache
def _guarded(sql: str, guard_sql: str) -> str:
    return sql.replace(GUARD, f"({guard_sql})")


# Key of `Session.info` under which a session bound to an autocommit Connection may name it.
AUTOCOMMIT_CONNECTION = "autocommit_connection"


def first_row(session: Session, sql: str, params: dict) -> tuple | None:
    """First row of one statement run straight on the session's psycopg connection, server-side prepared
    (unless the engine was made without prepared statements: see `make_engine`).

    For the statements on the hottest paths (the token check of every signed-in request, the slots
    query, the booking statement), where SQLAlchemy's execution layer costs about as much Python time
    as the round trip.
    Same connection and transaction as the session; driver errors come out as SQLAlchemy's (a dead
    connection invalidated first), so callers and error handlers see what `session.execute` gives.
    SQL uses psycopg's `%(name)s` placeholders (see `driver_sql`).
    """
    # An autocommit connection the session was handed (see AUTOCOMMIT_CONNECTION) needs no transaction
    # of the session's begun around the statement, nor closed after it.
    connection = session.info.get(AUTOCOMMIT_CONNECTION) or session.connection()
    driver = connection.connection.driver_connection
    try:
        # Binary results: psycopg reads integer arrays (the slots query's busy intervals) far faster so.
        prepare = driver.prepare_threshold is not None  # None: prepared statements are off (a pooler)
        return driver.cursor(binary=True).execute(sql, params, prepare=prepare).fetchone()
    except psycopg.Error as err:
        gone = connection.dialect.is_disconnect(err, driver, None)
        if gone:
            connection.invalidate(err)
        raise DBAPIError.instance(sql, params, err, psycopg.Error, connection_invalidated=gone,
                                  dialect=connection.dialect) from err


def driver_sql(sql: str) -> str:
    """A statement written with SQLAlchemy's `:name` placeholders, in psycopg's `%(name)s` form."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql.replace("%", "%%"))


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work outside HTTP (workers, scheduler, CLI): commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
