"""The unit of work (clinic.unit_of_work) against real PostgreSQL: commit, rollback, the kept writes of a failed
use case, and the autocommit mode of reads and one-statement writes (web.database's held connections).

These units commit for real: each test writes to a table of its own, dropped afterwards."""

from __future__ import annotations

import uuid
from functools import partial

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError

from clinic.db import execute, fetch_all, fetch_one, fetch_value, first_row, make_session_factory
from clinic.identity.models import User
from clinic.unit_of_work import UnflushedChanges, UnitOfWork, keep
from tests.conftest import TEST_DATABASE_URL


class Boom(Exception):
    pass


@pytest.fixture()
def probe(engine):
    """A table of this test's own: `names(name)`, unique only at commit (a deferred constraint)."""
    table = f"uow_probe_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {table} (id serial PRIMARY KEY, name text NOT NULL, "
                f"CONSTRAINT {table}_name UNIQUE (name) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    yield table
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {table}"))


@pytest.fixture()
def factory(engine):
    return make_session_factory(engine)


@pytest.fixture(scope="module")
def held():
    """Production's web session factories: (transactional, autocommit), each on a connection this thread holds."""
    from web.database import make_factories

    transactional, autocommit = make_factories(TEST_DATABASE_URL)
    yield transactional, autocommit
    for sessions in (transactional, autocommit):
        conn = getattr(sessions.local, "conn", None)
        if conn is not None:
            conn.close()
    transactional.engine.dispose()


def names(engine, table) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(text(f"SELECT name FROM {table} ORDER BY id")))


def add(table, name, session) -> None:
    execute(session, f"INSERT INTO {table} (name) VALUES (%(name)s)", {"name": name})


def test_a_unit_commits_when_its_block_ends(engine, factory, probe):
    with UnitOfWork(factory) as uow:
        add(probe, "a", uow.session)
        assert names(engine, probe) == []  # not before the block ends
    assert names(engine, probe) == ["a"]


def test_a_unit_rolls_back_when_its_block_raises(engine, factory, probe):
    with pytest.raises(Boom):
        with UnitOfWork(factory) as uow:
            add(probe, "a", uow.session)
            raise Boom()
    assert names(engine, probe) == []


def test_a_commit_that_fails_rolls_back_and_raises(engine, factory, probe):
    with pytest.raises(IntegrityError):
        with UnitOfWork(factory) as uow:
            add(probe, "same", uow.session)
            add(probe, "same", uow.session)  # refused only at COMMIT (deferred)
    assert names(engine, probe) == []


def test_a_kept_write_survives_the_failure_of_its_use_case_and_the_rest_does_not(engine, factory, probe):
    with pytest.raises(Boom):
        with UnitOfWork(factory) as uow:
            add(probe, "before", uow.session)
            keep(uow.session, partial(add, probe, "kept"))
            assert fetch_value(uow.session, f"SELECT count(*) FROM {probe} WHERE name = 'kept'") == 1  # at once
            add(probe, "after", uow.session)
            raise Boom()
    assert names(engine, probe) == ["kept"]


def test_a_kept_write_is_applied_once_when_the_use_case_succeeds(engine, factory, probe):
    with UnitOfWork(factory) as uow:
        uow.keep(partial(add, probe, "kept"))
        add(probe, "done", uow.session)
    assert names(engine, probe) == ["kept", "done"]


def test_kept_writes_survive_a_failed_statement_and_a_failed_commit(engine, factory, probe):
    with pytest.raises(DataError):
        with UnitOfWork(factory) as uow:
            keep(uow.session, partial(add, probe, "first"))
            fetch_value(uow.session, "SELECT 1 / %(zero)s::int", {"zero": 0})  # aborts the transaction
    with pytest.raises(IntegrityError):
        with UnitOfWork(factory) as uow:
            keep(uow.session, partial(add, probe, "second"))
            add(probe, "twice", uow.session)
            add(probe, "twice", uow.session)
    assert names(engine, probe) == ["first", "second"]


def test_kept_orm_writes_are_written_again_after_the_rollback(engine, factory, probe):
    """The ORM's pending objects go with the rollback: the kept write makes its object again."""
    email = f"kept-{uuid.uuid4().hex[:8]}@example.com"

    def make_user(session):
        session.add(User(email=email, password_hash="x", full_name="Kept", role="patient"))

    try:
        with pytest.raises(Boom):
            with UnitOfWork(factory) as uow:
                keep(uow.session, make_user)
                raise Boom()
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM users WHERE email = :e"), {"e": email}) == 1
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE email = :e"), {"e": email})


def test_a_write_kept_while_the_kept_writes_are_applied_again_is_not_kept_twice(engine, factory, probe):
    def nested(session):
        keep(session, partial(add, probe, "inner"))

    with pytest.raises(Boom):
        with UnitOfWork(factory) as uow:
            keep(uow.session, nested)
            raise Boom()
    assert names(engine, probe) == ["inner"]


def test_keep_outside_a_unit_just_writes(probe, db):  # (probe first: its DROP after the test's rollback)
    keep(db, partial(add, probe, "arranged"))
    assert fetch_value(db, f"SELECT count(*) FROM {probe}") == 1


def test_a_read_only_unit_runs_every_kind_of_read_without_a_transaction(held, probe, engine):
    """Reads on the autocommit connection: the helpers, the fast path and the ORM all work, and no
    transaction is left open (no BEGIN or COMMIT round trip was needed)."""
    _, autocommit = held
    add_committed = partial(add, probe)
    with UnitOfWork(make_session_factory(engine)) as uow:
        add_committed("x", uow.session)
    with UnitOfWork(autocommit, autocommit=True) as uow:
        session = uow.session
        driver = session.info["autocommit_connection"].connection.driver_connection
        assert driver.autocommit
        assert first_row(session, f"SELECT name FROM {probe} WHERE id > %(n)s", {"n": 0}) == ("x",)
        assert fetch_one(session, f"SELECT id, name FROM {probe}").name == "x"
        assert [r.name for r in fetch_all(session, f"SELECT name FROM {probe}")] == ["x"]
        assert session.scalar(text(f"SELECT count(*) FROM {probe}")) == 1
        assert session.get(User, -1) is None
        assert driver.info.transaction_status.name == "IDLE"
    assert driver.info.transaction_status.name == "IDLE"


def test_a_one_statement_unit_commits_its_statement_by_itself(held, engine, probe):
    _, autocommit = held
    with UnitOfWork(autocommit, autocommit=True) as uow:
        add(probe, "at once", uow.session)
        assert names(engine, probe) == ["at once"]  # committed by PostgreSQL, before the unit ends
    with pytest.raises(Boom):
        with UnitOfWork(autocommit, autocommit=True) as uow:
            add(probe, "also", uow.session)
            raise Boom()  # a failure after the statement: it stays, as it would without the unit
    with pytest.raises(DataError):
        with UnitOfWork(autocommit, autocommit=True) as uow:
            fetch_value(uow.session, "SELECT 1 / %(zero)s::int", {"zero": 0})
    with UnitOfWork(autocommit, autocommit=True) as uow:  # the held connection serves the next unit
        assert fetch_value(uow.session, f"SELECT count(*) FROM {probe}") == 2
    assert names(engine, probe) == ["at once", "also"]


def test_an_autocommit_unit_refuses_to_drop_orm_changes_never_flushed(held):
    _, autocommit = held
    with pytest.raises(UnflushedChanges):
        with UnitOfWork(autocommit, autocommit=True) as uow:
            uow.session.add(User(email="never@example.com", password_hash="x", full_name="Never", role="patient"))


def test_the_held_transactional_connection_commits_and_rolls_back_through_the_unit(held, engine, probe):
    transactional, _ = held
    with UnitOfWork(transactional) as uow:
        add(probe, "held", uow.session)
        driver = uow.session.connection().connection.driver_connection
        assert not driver.autocommit and driver.info.transaction_status.name == "INTRANS"
    assert driver.info.transaction_status.name == "IDLE"
    with pytest.raises(Boom):
        with UnitOfWork(transactional) as uow:
            add(probe, "undone", uow.session)
            raise Boom()
    assert driver.info.transaction_status.name == "IDLE"
    assert names(engine, probe) == ["held"]
