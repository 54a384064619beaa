"""The export job through a real Dramatiq worker process on Redis (the test's own Redis db).

Real commits are needed here (the worker has its own connections), so this test uses its own engine and
removes what it created at the end. The append-only triggers also refuse that clean-up; only a superuser
session with `session_replication_role = replica` (which skips triggers) can do it, which the app's role
could not.
"""

from __future__ import annotations

import time
import uuid

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import pool, select, text

from clinic.clock import utcnow
from clinic.db import make_engine, make_session_factory
from clinic.identity import service as accounts
from clinic.identity.actor import Actor
from clinic.outbox.models import OutboxMessage
from clinic.records import export
from clinic.records.models import DataExport
from clinic.topics import Topic
from tests.support.worker import dramatiq_worker
from clinic.unit_of_work import UnitOfWork
from tests.conftest import PASSWORD, TEST_DATABASE_URL, TEST_REDIS_URL

ACTOR = "export_patient_data"


def _subscribed() -> bool:
    from workers.subscriptions import SUBSCRIPTIONS  # importing the workers package configures nothing

    return SUBSCRIPTIONS[Topic.EXPORT_REQUESTED] == [ACTOR]


@pytest.fixture()
def worker(engine, redis_client):
    with dramatiq_worker() as proc:
        yield proc


@pytest.mark.e2e
def test_a_real_worker_builds_the_export(engine, worker):
    assert _subscribed()
    own = make_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    sessions = make_session_factory(own)
    email = f"export-{uuid.uuid4().hex[:10]}@example.com"
    with UnitOfWork(sessions) as uow:
        s = uow.session
        user = accounts.create_user(s, email=email, password=PASSWORD, full_name="Exportadora", role="patient")
        requested = export.request_export(s, actor=Actor(user_id=user.id, role="patient"), now=utcnow())
        user_id, export_id = user.id, requested.id
    try:
        with UnitOfWork(sessions) as uow:  # what the outbox relay would send, as it would send it
            s = uow.session
            message = s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.topic == export.TOPIC, OutboxMessage.payload["export_id"].astext == str(export_id)
                )
            ).one()
            topic, payload = message.topic, dict(message.payload)
        broker = RedisBroker(url=TEST_REDIS_URL)
        broker.declare_queue("default")
        broker.enqueue(
            dramatiq.Message(queue_name="default", actor_name=ACTOR, args=(topic, payload), kwargs={}, options={})
        )
        broker.enqueue(
            dramatiq.Message(queue_name="default", actor_name=ACTOR, args=(topic, payload), kwargs={}, options={})
        )  # at-least-once delivery: a duplicate changes nothing

        deadline = time.monotonic() + 45
        status = "pending"
        while time.monotonic() < deadline and status == "pending":
            assert worker.poll() is None, worker.stdout.read().decode(errors="replace")[-2000:]
            time.sleep(0.3)
            with UnitOfWork(sessions) as uow:
                s = uow.session
                status = s.scalar(select(DataExport.status).where(DataExport.id == export_id))
        assert status == "ready"
        time.sleep(1.0)  # let the duplicate run too
        with UnitOfWork(sessions) as uow:
            s = uow.session
            done = s.get(DataExport, export_id)
            assert done.document["profile"]["email"] == email
            assert [row["action"] for row in done.document["audit"]] == ["export"]
            audit_rows = s.scalar(text("SELECT count(*) FROM record_audit WHERE patient_id = :p"), {"p": user_id})
            assert audit_rows == 1  # the duplicate message found the export ready and did nothing
        broker.close()
    finally:
        with own.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("DELETE FROM record_audit WHERE patient_id = :p"), {"p": user_id})
            conn.execute(text("DELETE FROM data_exports WHERE user_id = :p"), {"p": user_id})
            conn.execute(
                text("DELETE FROM outbox WHERE topic = :t AND payload->>'export_id' = :e"),
                {"t": export.TOPIC, "e": str(export_id)},
            )
            conn.execute(text("DELETE FROM refresh_tokens WHERE user_id = :p"), {"p": user_id})
            conn.execute(text("DELETE FROM users WHERE id = :p"), {"p": user_id})
        own.dispose()


@pytest.mark.e2e
def test_a_job_that_keeps_failing_marks_the_export_failed(engine, worker):
    own = make_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    sessions = make_session_factory(own)
    with UnitOfWork(sessions) as uow:
        s = uow.session
        # An export for a user the job must refuse (not a patient): every run fails.
        user = accounts.create_user(
            s,
            email=f"export-{uuid.uuid4().hex[:10]}@example.com",
            password=PASSWORD,
            full_name="Recepción",
            role="receptionist",
        )
        row = DataExport(id=uuid.uuid4(), user_id=user.id, status="pending", requested_at=utcnow())
        s.add(row)
        user_id, export_id = user.id, row.id
    try:
        broker = RedisBroker(url=TEST_REDIS_URL)
        broker.declare_queue("default")
        broker.enqueue(
            dramatiq.Message(
                queue_name="default",
                actor_name=ACTOR,
                args=(export.TOPIC, {"export_id": str(export_id)}),
                kwargs={},
                options={"max_retries": 0},
            )
        )  # exhaust the retries at once
        deadline = time.monotonic() + 45
        status = "pending"
        while time.monotonic() < deadline and status == "pending":
            time.sleep(0.3)
            with UnitOfWork(sessions) as uow:
                s = uow.session
                status = s.scalar(select(DataExport.status).where(DataExport.id == export_id))
        assert status == "failed"
        broker.close()
    finally:
        with own.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("DELETE FROM data_exports WHERE user_id = :p"), {"p": user_id})
            conn.execute(text("DELETE FROM users WHERE id = :p"), {"p": user_id})
        own.dispose()
