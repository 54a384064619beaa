"""A web thread's held connection that the server closed while it was idle (a PostgreSQL restart or
failover) is replaced before the next request uses it: that request is served, not answered 503."""

from __future__ import annotations

import time

import psycopg

from tests.conftest import TEST_DATABASE_URL
from web.database import make_factories


def _backend_pid(session) -> int:
    return session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()


def test_a_connection_the_server_closed_while_idle_is_replaced_before_use(engine):
    transactional, autocommit = make_factories(TEST_DATABASE_URL)
    try:
        for factory in (transactional, autocommit):
            session = factory()
            old = _backend_pid(session)
            session.rollback()
            session.close()
            with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (old,))
                for _ in range(50):  # the backend is gone once it no longer shows up
                    if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (old,)).fetchone():
                        break
                    time.sleep(0.05)
            session = factory()
            assert _backend_pid(session) != old  # served on a new connection, no error
            session.rollback()
            session.close()
            again = factory()
            assert _backend_pid(again) == _backend_pid(session)  # and that one is held, not replaced each time
            again.close()
    finally:
        transactional.engine.dispose()
