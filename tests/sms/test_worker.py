"""Reminder SMS through the real scheduler and a real Dramatiq worker, to a fake Twilio on loopback.

One email and one SMS per (appointment, offset, start); at most once for the SMS when the worker is
SIGKILLed between Twilio's 201 and our record of it (the chosen semantics: clinic/sms/sender.py)."""

from __future__ import annotations

import re

from datetime import datetime, timedelta, timezone

from clinic.sms.segments import segments
from tests.sms.conftest import opted_in
from tests.support.async_world import scheduler_once, wait_until


def _settled(world, redis_client) -> bool:
    unsent = world.scalar(
        "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending') AND recipient_id = ANY(:u)",
        u=world.users,
    )
    return unsent == 0 and redis_client.hlen("dramatiq:default.msgs") == 0


def _booked(world, hours: float = 5, locale: str = "es"):
    clinic = world.clinic()
    service = world.service()
    doctor = world.doctor(clinic, service)
    patient = world.user(locale=locale)
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(hours=hours)
    appointment = world.appointment(doctor, patient, service, start)
    return patient, appointment, start


def test_the_sweep_sends_one_email_and_one_sms_and_never_again(world, fake, twilio, env, workers, redis_client):
    patient, appointment, start = _booked(world)
    phone = opted_in(world, patient)
    silent = world.user()  # no consent: email only
    world.appointment(
        world.doctor(world.clinic(), world.service()), silent, world.services[-1], start + timedelta(minutes=30)
    )
    workers(env)
    for _ in range(2):  # the second sweep finds everything already done
        assert scheduler_once(env).returncode == 0
        assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    [sms] = twilio.wait_for(phone, 1)
    assert sms["From"] == "+34900000000" and sms["To"] == phone
    assert "Clinica Central" in sms["Body"] and "recordatorio" in sms["Body"]
    assert re.search(r"https://clinic\.example/a/[A-Za-z0-9_-]{22}(\s|$)", sms["Body"])  # the manage link
    assert segments(sms["Body"]) <= 2
    assert len(fake.to(patient["email"])) == 1 and len(fake.to(silent["email"])) == 1
    assert twilio.count() == 1 and twilio.unauthorized == 0
    row = world.sql(
        "SELECT status, provider_id, payload FROM deliveries WHERE kind = 'reminder_sms' AND appointment_id = :a",
        a=appointment,
    )
    assert [tuple(r) for r in row] == [("sent", sms["sid"], None)]


def test_whatsapp_when_the_sender_is_a_whatsapp_number(world, twilio, env, workers, redis_client):
    patient, _, _ = _booked(world, locale="en")
    phone = opted_in(world, patient)
    env = {**env, "TWILIO_FROM": "whatsapp:+14155238886"}
    workers(env)
    assert scheduler_once(env).returncode == 0
    [message] = twilio.wait_for(phone, 1)
    assert message["To"] == "whatsapp:" + phone and message["From"] == "whatsapp:+14155238886"
    assert message["Body"].startswith("Clinica Central: reminder of your appointment on ")


def test_no_sms_after_opting_out_and_none_without_twilio(world, twilio, fake, env, workers, redis_client):
    patient, appointment, _ = _booked(world)
    phone = opted_in(world, patient)
    world.sql("UPDATE users SET sms_opt_in = false WHERE id = :id", id=patient["id"])
    off = {k: v for k, v in env.items() if not k.startswith("TWILIO_")}
    workers(env)
    assert scheduler_once(off).returncode == 0  # no Twilio settings: the SMS channel is off
    world.sql("UPDATE users SET sms_opt_in = true WHERE id = :id", id=patient["id"])
    assert world.scalar("SELECT count(*) FROM deliveries WHERE kind = 'reminder_sms'") == 0
    world.sql("UPDATE users SET sms_opt_in = false WHERE id = :id", id=patient["id"])
    assert scheduler_once(env).returncode == 0
    assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    assert len(fake.wait_for(patient["email"], 1)) == 1
    assert (
        twilio.to(phone) == []
        and world.scalar(
            "SELECT count(*) FROM deliveries WHERE kind = 'reminder_sms' AND appointment_id = :a", a=appointment
        )
        == 0
    )


def test_opting_out_after_the_sweep_stops_the_queued_sms(world, twilio, env, workers, redis_client):
    patient, appointment, _ = _booked(world)
    phone = opted_in(world, patient)
    assert scheduler_once(env).returncode == 0  # queued; no worker yet
    world.sql("UPDATE users SET sms_opt_in = false WHERE id = :id", id=patient["id"])
    workers(env)
    assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    assert twilio.to(phone) == []
    # The worker makes a handed-over reminder's row only if it is still due (consent included): none here.
    assert (
        world.scalar(
            "SELECT count(*) FROM deliveries WHERE kind = 'reminder_sms' AND appointment_id = :a", a=appointment
        )
        == 0
    )


def test_a_rate_limited_send_is_retried_and_sent_once(world, twilio, env, workers, redis_client):
    patient, appointment, _ = _booked(world)
    phone = opted_in(world, patient)
    twilio.fail_next(1, status=429)  # certainly not accepted: safe to send again
    workers(env)
    assert scheduler_once(env).returncode == 0
    assert len(twilio.wait_for(phone, 1, timeout=30)) == 1
    assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    assert len(twilio.to(phone)) == 1
    assert (
        world.scalar("SELECT status FROM deliveries WHERE kind = 'reminder_sms' AND appointment_id = :a", a=appointment)
        == "sent"
    )


def test_a_server_error_is_not_retried(world, twilio, env, workers, redis_client):
    """A 5xx may come after Twilio accepted the message: at most once means no second try."""
    patient, appointment, _ = _booked(world)
    phone = opted_in(world, patient)
    twilio.fail_next(1, status=500)
    workers(env)
    assert scheduler_once(env).returncode == 0
    assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    assert twilio.to(phone) == []
    assert tuple(
        world.sql(
            "SELECT status, error FROM deliveries WHERE kind = 'reminder_sms' AND appointment_id = :a", a=appointment
        )[0]
    ) == ("failed", "server error (500)")


def test_a_worker_killed_after_twilio_accepted_never_sends_it_again(world, fake, twilio, env, workers, redis_client):
    """The chosen semantics, at-most-once: the SIGKILL lands between Twilio's 201 and our commit of `sent`.
    The restarted worker gets the requeued message, finds the row still `sending`, and marks it failed
    (`interrupted`) instead of texting the patient a second time."""
    patient, appointment, _ = _booked(world)
    phone = opted_in(world, patient)
    doomed = workers({**env, "CLINIC_FAULT_POINT": "after_sms_send"})
    assert scheduler_once(env).returncode == 0
    assert doomed.wait_exit(45) is not None, "the worker did not reach the fault point:\n" + doomed.output()[-2000:]
    assert len(twilio.to(phone)) == 1  # Twilio accepted it before the worker died
    assert (
        world.scalar("SELECT status FROM deliveries WHERE kind = 'reminder_sms' AND appointment_id = :a", a=appointment)
        == "sending"
    )
    workers(env)
    assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    assert len(twilio.to(phone)) == 1  # not re-sent
    status, error = world.sql(
        "SELECT status, error FROM deliveries WHERE kind = 'reminder_sms' AND appointment_id = :a", a=appointment
    )[0]
    assert status == "failed" and error.startswith("interrupted")
    assert len(fake.wait_for(patient["email"], 1)) == 1  # the email reminder went, exactly once


def test_a_worker_killed_before_the_request_sends_nothing(world, fake, twilio, env, workers, redis_client):
    """The other side of at-most-once: killed after claiming the row, before the POST, the text is lost
    (the row cannot tell the two apart); the email reminder still arrives."""
    patient, appointment, _ = _booked(world)
    phone = opted_in(world, patient)
    doomed = workers({**env, "CLINIC_FAULT_POINT": "before_sms_send"})
    assert scheduler_once(env).returncode == 0
    assert doomed.wait_exit(45) is not None, doomed.output()[-2000:]
    workers(env)
    assert wait_until(lambda: _settled(world, redis_client), timeout=30)
    assert twilio.to(phone) == []
    assert (
        world.scalar("SELECT status FROM deliveries WHERE kind = 'reminder_sms' AND appointment_id = :a", a=appointment)
        == "failed"
    )
    assert len(fake.wait_for(patient["email"], 1)) == 1
