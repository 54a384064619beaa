"""The exactly-once sender, called directly against the fake provider (fine-grained failure cases)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import resend

from sqlalchemy import text

from clinic.clock import utcnow
from clinic.db import make_session_factory
from clinic.notifications import reminders
from clinic.notifications import service as notifications
from clinic.notifications.mailer import Mailer, TransientSendError
from clinic.notifications.ratelimit import ProviderRateLimiter
from clinic.notifications.render import Renderer
from tests.conftest import make_settings
from tests.support.fake_resend import FakeResend


class Crash(Exception):
    pass


@pytest.fixture()
def fake():
    previous = resend.api_url
    with FakeResend() as server:
        resend.api_url = server.url
        yield server
    resend.api_url = previous


@pytest.fixture()
def make_sender(engine, redis_client):
    def make(checkpoint=notifications._no_checkpoint, per_second: float = 50):
        limiter = ProviderRateLimiter(redis_client, per_second=per_second, key=f"test:{uuid.uuid4().hex}")
        settings = make_settings(PUBLIC_URL="https://clinic.example")
        return notifications.Sender(
            make_session_factory(engine),
            Mailer(api_key="re_test", limiter=limiter),
            Renderer(settings),
            checkpoint=checkpoint,
        )

    return make


@pytest.fixture()
def booked(world):
    clinic = world.clinic()
    service = world.service()
    doctor = world.doctor(clinic, service)
    patient = world.user()
    appt = world.appointment(doctor, patient, service, datetime.now(timezone.utc) + timedelta(days=2))
    return {"appt": appt, "patient": patient, "doctor": doctor, "service": service}


def _delivery(world, booked, kind="confirmation") -> int:
    with world.engine.begin() as conn:
        from sqlalchemy.orm import Session

        with Session(bind=conn) as session:
            return notifications.ensure(
                session, key=f"{kind}:{booked['appt']}:e1", kind=kind, appointment_id=booked["appt"]
            )


def _status(world, delivery_id):
    return world.scalar("SELECT status FROM deliveries WHERE id = :i", i=delivery_id)


def test_ensure_is_idempotent(world, booked):
    assert _delivery(world, booked) == _delivery(world, booked)


def test_a_crash_after_the_http_call_resends_with_the_same_key_and_no_second_email(world, booked, fake, make_sender):
    delivery = _delivery(world, booked)

    def crash_after_send(point):
        if point == "after_send":
            raise Crash()

    with pytest.raises(Crash):
        make_sender(crash_after_send).deliver([delivery], batch=False)
    assert _status(world, delivery) == "sending" and len(fake.emails) == 1
    assert make_sender().deliver([delivery], batch=False) == 1
    assert _status(world, delivery) == "sent"
    assert len(fake.emails) == 1 and fake.replays == 1 and fake.distinct_keys() == 1
    assert make_sender().deliver([delivery], batch=False) == 0  # already sent: nothing goes out
    assert fake.requests == 2


def test_429_retry_after_is_honoured(world, booked, fake, make_sender):
    delivery = _delivery(world, booked)
    fake.fail_next(1, status=429, retry_after=1)
    started = time.monotonic()
    assert make_sender().deliver([delivery], batch=False) == 1
    assert time.monotonic() - started >= 0.95
    assert fake.rejected == 1 and len(fake.emails) == 1 and _status(world, delivery) == "sent"


def test_5xx_is_transient_and_the_retry_sends_once(world, booked, fake, make_sender):
    delivery = _delivery(world, booked)
    fake.fail_next(1, status=503)
    with pytest.raises(TransientSendError):
        make_sender().deliver([delivery], batch=False)
    assert _status(world, delivery) == "sending"
    make_sender().deliver([delivery], batch=False)
    assert len(fake.emails) == 1 and _status(world, delivery) == "sent"


def test_a_refused_request_is_marked_failed_not_retried(world, booked, fake, make_sender):
    delivery = _delivery(world, booked)
    fake.fail_next(1, status=422)
    assert make_sender().deliver([delivery], batch=False) == 0
    assert _status(world, delivery) == "failed" and fake.emails == []


def test_a_reminder_for_a_moved_appointment_is_skipped_at_send_time(world, booked, fake, make_sender, engine):
    world.sql(
        "UPDATE appointments SET starts_at = now() + interval '20 hours', ends_at = now() + interval '21 hours',"
        " blocked_until = now() + interval '21 hours', scheduled_at = now() - interval '1 day' WHERE id = :a",
        a=booked["appt"],
    )
    with make_session_factory(engine).begin() as session:
        assert reminders.reminders(session, now=utcnow(), settings=make_settings()) == 1
        topic, payload = session.execute(text("SELECT topic, payload FROM outbox ORDER BY id DESC LIMIT 1")).one()
        [delivery] = reminders.deliveries_of(session, topic=topic, payload=payload)  # the worker's first step
    world.sql(
        "UPDATE appointments SET starts_at = starts_at + interval '1 hour', ends_at = ends_at + "
        "interval '1 hour', blocked_until = blocked_until + interval '1 hour' WHERE id = :a",
        a=booked["appt"],
    )
    assert make_sender().deliver([delivery], batch=True) == 0
    assert _status(world, delivery) == "skipped" and fake.emails == []
    world.sql("DELETE FROM outbox")


def test_batches_carry_at_most_100_emails(world, fake, make_sender):
    clinic = world.clinic()
    service = world.service()
    doctor = world.doctor(clinic, service)
    start = datetime.now(timezone.utc) + timedelta(days=1)
    for i in range(150):
        world.appointment(
            doctor, world.user(), service, start + timedelta(minutes=30 * i), scheduled_at=start - timedelta(days=3)
        )
    world.sql("UPDATE appointments SET status = 'no_show' WHERE doctor_id = :d", d=doctor["id"])
    world.sql(
        "INSERT INTO deliveries (key, kind, appointment_id) SELECT 'noshow:' || id, 'noshow', id "
        "FROM appointments WHERE doctor_id = :d",
        d=doctor["id"],
    )
    ids = [
        r[0]
        for r in world.sql(
            "SELECT id FROM deliveries WHERE kind = 'noshow' AND appointment_id IN "
            "(SELECT id FROM appointments WHERE doctor_id = :d)",
            d=doctor["id"],
        )
    ]
    assert make_sender().deliver(ids, batch=True) == 150
    assert fake.requests == 2 and len(fake.emails) == 150 and fake.distinct_keys() == 2
    assert {e["path"] for e in fake.emails} == {"/emails/batch"}
    assert all("/book?" in e["text"] for e in fake.emails)


def test_the_rate_limiter_spaces_requests_across_clients(redis_client):
    import redis

    key = f"test:{uuid.uuid4().hex}"
    times: list[float] = []
    lock = threading.Lock()

    def client():
        limiter = ProviderRateLimiter(redis.Redis.from_url(_url(redis_client)), per_second=10, key=key)
        for _ in range(4):
            limiter.acquire()
            with lock:
                times.append(limiter.last_slot)

    threads = [threading.Thread(target=client) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # Reserved slots (Redis clock) are exactly 1.03/rate apart whatever the threads' wake-up jitter.
    assert len(times) == 12 and min(gaps) >= 0.1
    assert all(sum(1 for t in times if s <= t < s + 1.0) <= 10 for s in times)


def _url(client) -> str:
    kw = client.connection_pool.connection_kwargs
    return f"redis://{kw.get('host', '127.0.0.1')}:{kw.get('port', 6379)}/{kw.get('db', 0)}"


def test_the_daily_agenda_lists_the_day_in_the_doctors_zone_and_language(world, fake, make_sender, engine):
    clinic = world.clinic("America/Mexico_City")
    service = world.service()
    doctor = world.doctor(clinic, service, locale="en")
    world.sql("UPDATE users SET locale = 'en' WHERE id = :u", u=doctor["user_id"])
    day_start = datetime(2031, 6, 2, 6, 0, tzinfo=timezone.utc)  # 00:00 in Mexico City
    world.appointment(doctor, world.user(name="Luis"), service, day_start + timedelta(hours=9))  # 09:00 local
    world.appointment(doctor, world.user(name="Eva"), service, day_start + timedelta(hours=11))  # 11:00 local
    world.appointment(doctor, world.user(name="Tomorrow"), service, day_start + timedelta(hours=30))
    with make_session_factory(engine).begin() as session:
        assert reminders.agendas(session, now=day_start + timedelta(hours=6, minutes=5), settings=make_settings()) == 1
    delivery = world.scalar("SELECT id FROM deliveries WHERE kind = 'agenda' AND doctor_id = :d", d=doctor["id"])
    world.sql("DELETE FROM outbox")
    assert make_sender().deliver([delivery], batch=True) == 1
    [email] = fake.to(doctor["email"])
    assert email["subject"] == "Your agenda for Monday 2 June"
    assert "09:00  Luis — Consulta general" in email["text"] and "11:00  Eva" in email["text"]
    assert "Tomorrow" not in email["text"] and "America/Mexico_City" in email["text"]
    world.sql("DELETE FROM deliveries WHERE id = :i", i=delivery)
