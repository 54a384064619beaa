"""A real Dramatiq worker process rebuilds the stored feed after real, committed changes.

Real commits are needed (the worker has its own connections), so this test uses its own engine and
deletes what it created. Messages are enqueued exactly as the outbox relay sends them: (topic, payload).
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, time as clock_time, timedelta, timezone
from zoneinfo import ZoneInfo

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import pool, select, text

from clinic.appointments import service as appointments
from clinic.calendars import feeds
from clinic.db import make_engine, make_session_factory
from clinic.identity import service as accounts
from clinic.identity.actor import Actor
from clinic.outbox.models import OutboxMessage
from clinic.scheduling.models import Clinic, Doctor, Service, WorkingHours, doctor_services
from clinic.unit_of_work import UnitOfWork
from tests.calendars import strict
from tests.conftest import PASSWORD, TEST_DATABASE_URL, TEST_REDIS_URL, make_settings
from tests.support.worker import dramatiq_worker

ACTOR = "rebuild_calendar_feeds"
SECRET = "w" * 40
MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture()
def worker(engine, redis_client):
    with dramatiq_worker() as proc:
        yield proc


def _local(days: int, hour: int) -> datetime:
    day = datetime.now(MADRID).date() + timedelta(days=days)
    return datetime.combine(day, clock_time(hour), MADRID).astimezone(timezone.utc)


@pytest.mark.e2e
def test_a_real_worker_keeps_the_feed_in_step(engine, worker):
    own = make_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    sessions = make_session_factory(own)
    settings = make_settings()
    tag = uuid.uuid4().hex[:8]
    broker = RedisBroker(url=TEST_REDIS_URL)
    broker.declare_queue("default")
    ids: dict = {}

    def relay() -> None:
        """Hand this test's pending outbox rows to the worker, as the relay would."""
        with UnitOfWork(sessions) as uow:
            s = uow.session
            rows = s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.relayed_at.is_(None), OutboxMessage.id.in_(_own_outbox(s, ids)))
                .order_by(OutboxMessage.id)
            ).all()
            for row in rows:
                broker.enqueue(
                    dramatiq.Message(
                        queue_name="default",
                        actor_name=ACTOR,
                        args=(row.topic, dict(row.payload)),
                        kwargs={},
                        options={},
                    )
                )
                row.relayed_at = datetime.now(timezone.utc)

    def wait_for(predicate, what: str) -> tuple[float, list]:
        started = time.monotonic()
        while time.monotonic() - started < 30:
            assert worker.poll() is None, worker.stdout.read().decode(errors="replace")[-3000:]
            with UnitOfWork(sessions) as uow:
                s = uow.session
                served = feeds.serve(s, token=token)
            events = strict.parse(served.content).events if served and served.content else None
            if events is not None and predicate(events):
                return time.monotonic() - started, events
            time.sleep(0.1)
        raise AssertionError(f"the feed never showed {what}")

    try:
        with UnitOfWork(sessions) as uow:
            s = uow.session
            clinic = Clinic(name=f"Clínica {tag}", timezone="Europe/Madrid", address="Calle Mayor 1")
            service = Service(name=f"Servicio {tag}", duration_minutes=30)
            s.add_all([clinic, service])
            s.flush()
            doctor_user = accounts.create_user(
                s, email=f"doc-{tag}@example.com", password=PASSWORD, full_name="Dra. Worker", role="doctor"
            )
            desk = accounts.create_user(
                s, email=f"desk-{tag}@example.com", password=PASSWORD, full_name="Recepción", role="receptionist"
            )
            patient = accounts.create_user(
                s, email=f"pat-{tag}@example.com", password=PASSWORD, full_name="Paciente Worker", role="patient"
            )
            doctor = Doctor(user_id=doctor_user.id, clinic_id=clinic.id, specialty="general")
            s.add(doctor)
            s.flush()
            s.execute(doctor_services.insert().values(doctor_id=doctor.id, service_id=service.id))
            s.add_all(
                [
                    WorkingHours(doctor_id=doctor.id, weekday=d, start_time=clock_time(8), end_time=clock_time(20))
                    for d in range(7)
                ]
            )
            ids.update(
                clinic=clinic.id,
                service=service.id,
                doctor=doctor.id,
                users=[doctor_user.id, desk.id, patient.id],
                desk=desk.id,
                patient=patient.id,
            )
            token = feeds.feed_token(s, user_id=patient.id, secret=SECRET)
        desk_actor = Actor(user_id=ids["desk"], role="receptionist")
        with UnitOfWork(sessions) as uow:
            s = uow.session
            booked = appointments.book(
                s,
                actor=desk_actor,
                doctor_id=ids["doctor"],
                service_id=ids["service"],
                starts_at=_local(3, 10),
                settings=settings,
                patient_id=ids["patient"],
            )
            ids["appointment"] = booked.id
        relay()  # calendar.feed_created + appointment.booked
        _, events = wait_for(lambda ev: len(ev) == 1, "the booking")
        assert strict.utc(events[0].dtstart) == _local(3, 10) and events[0].sequence == 0

        with UnitOfWork(sessions) as uow:
            s = uow.session
            appointments.reschedule(
                s, actor=desk_actor, appointment_id=ids["appointment"], starts_at=_local(4, 12), settings=settings
            )
        relay()
        took, events = wait_for(lambda ev: len(ev) == 1 and ev[0].sequence >= 1, "the new time")
        assert strict.utc(events[0].dtstart) == _local(4, 12) and took < 10
        assert events[0].dtstart.replace(tzinfo=None).hour == 12  # Madrid wall clock

        with UnitOfWork(sessions) as uow:
            s = uow.session
            appointments.cancel(s, actor=desk_actor, appointment_id=ids["appointment"], settings=settings)
        relay()
        took, _ = wait_for(lambda ev: ev == [], "the cancellation")
        assert took < 10
    finally:
        broker.close()
        _cleanup(own, ids)
        own.dispose()


def _own_outbox(session, ids: dict) -> list[int]:
    return list(
        session.scalars(
            text("SELECT id FROM outbox WHERE payload->>'appointment_id' = :a OR payload->>'user_id' = :u"),
            {"a": str(ids.get("appointment", -1)), "u": str(ids.get("patient", -1))},
        )
    )


def _cleanup(own, ids: dict) -> None:
    if not ids:
        return
    with own.begin() as conn:
        params = {
            "users": ids["users"],
            "doctor": ids["doctor"],
            "a": str(ids.get("appointment", -1)),
            "u": str(ids["patient"]),
        }
        conn.execute(
            text("DELETE FROM outbox WHERE payload->>'appointment_id' = :a OR payload->>'user_id' = :u"), params
        )
        conn.execute(text("DELETE FROM calendar_feeds WHERE user_id = ANY(:users)"), params)
        conn.execute(
            text(
                "DELETE FROM appointment_history WHERE appointment_id IN "
                "(SELECT id FROM appointments WHERE doctor_id = :doctor)"
            ),
            params,
        )
        conn.execute(text("DELETE FROM appointments WHERE doctor_id = :doctor"), params)
        conn.execute(text("DELETE FROM doctors WHERE id = :doctor"), params)
        conn.execute(text("DELETE FROM services WHERE id = :s"), {"s": ids["service"]})
        conn.execute(text("DELETE FROM clinics WHERE id = :c"), {"c": ids["clinic"]})
        conn.execute(text("DELETE FROM users WHERE id = ANY(:users)"), params)
