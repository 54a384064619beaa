"""SIGKILL a worker at each point of a send, restart it: every email arrives exactly once.

The worker kills its whole process group at CLINIC_FAULT_POINT (before the call, in the middle of the SMTP
conversation (envelope accepted, message not yet handed over), after it but before the delivery is marked
sent, after marking but before the message is acknowledged). The restarted worker's broker finds the
dead worker's heartbeat stale (2 s in tests) and requeues its message. Confirmations are iMIP messages
sent to a real SMTP server on loopback that, like Resend's relay, honours `Resend-Idempotency-Key`;
reminder batches go through the (fake) HTTP API.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.async_world import scheduler_once, wait_until

POINTS = ["before_send", "after_send", "before_ack"]
SMTP_POINTS = ["before_send", "during_send", "after_send", "before_ack"]


def _settled(world, redis_client) -> bool:
    """Every delivery of this test's appointments and people finished and every message acknowledged
    (rows that other tests committed are not this test's to wait for)."""
    unsent = world.scalar(
        "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending') AND "
        "(appointment_id IN (SELECT id FROM appointments WHERE clinic_id = ANY(:c)) "
        "OR recipient_id = ANY(:u))",
        c=world.clinics,
        u=world.users,
    )
    return unsent == 0 and redis_client.hlen("dramatiq:default.msgs") == 0


@pytest.mark.parametrize("point", SMTP_POINTS)
def test_confirmation_survives_a_sigkill(point, world, fake, env, workers, redis_client):
    clinic = world.clinic()
    service = world.service()
    doctor = world.doctor(clinic, service)
    patient = world.user()
    world.appointment(doctor, patient, service, datetime.now(timezone.utc) + timedelta(days=3), event=True)

    doomed = workers({**env, "CLINIC_FAULT_POINT": point})
    assert scheduler_once(env).returncode == 0
    assert doomed.wait_exit(45) is not None, "the worker did not reach the fault point:\n" + doomed.output()[-2000:]
    assert len(fake.to(patient["email"])) == (0 if point in ("before_send", "during_send") else 1)

    workers(env)
    assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    [confirmation] = fake.to(patient["email"])
    assert confirmation["path"] == "smtp" and confirmation["msg"].get_content_type() == "multipart/mixed"
    assert len(confirmation["msg"].get_all("Resend-Idempotency-Key")) == 1
    assert fake.distinct_keys() == len(fake.emails) == 1
    if point == "after_send":
        assert fake.replays == 1  # re-sent with the same key; the relay answered from its store


@pytest.mark.parametrize("point", POINTS)
def test_reminder_batch_survives_a_sigkill(point, world, fake, env, workers, redis_client):
    clinic = world.clinic()
    service = world.service()
    doctor = world.doctor(clinic, service)
    patients = [world.user() for _ in range(5)]
    start = datetime.now(timezone.utc) + timedelta(hours=5)
    for i, patient in enumerate(patients):
        world.appointment(doctor, patient, service, start + timedelta(minutes=30 * i))

    doomed = workers({**env, "CLINIC_FAULT_POINT": point})
    assert scheduler_once(env).returncode == 0  # the 24 h reminders are due; the 2 h ones are not
    assert doomed.wait_exit(45) is not None, doomed.output()[-2000:]
    workers(env)
    assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    # (The doctor's daily agenda may be due as well, depending on the hour the test runs: not counted.)
    reminders = [email for patient in patients for email in fake.to(patient["email"])]
    assert len(reminders) == 5 and {email["path"] for email in reminders} == {"/emails/batch"}
    assert len({email["key"] for email in reminders}) == 1  # one batch call, whatever was retried
    assert world.scalar("SELECT count(*) FROM deliveries WHERE kind = 'reminder' AND status = 'sent'") == 5
