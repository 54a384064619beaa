"""Event emails through a real worker: confirmation, reschedule, cancellation, each an iMIP message (the
invite as the text/calendar part and as invite.ics) sent to a real SMTP server on loopback."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

from sqlalchemy import text

from tests.support.async_world import scheduler_once, wait_until
from tests.support.fake_resend import attachment_text


def _ics(email) -> dict:
    fields = {}
    for line in attachment_text(email).replace("\r\n ", "").splitlines():
        name, _, value = line.partition(":")
        fields.setdefault(name.split(";")[0], value)
    return fields


def test_booking_reschedule_cancel_each_send_one_email_with_the_invite(world, fake, env, workers):
    clinic = world.clinic("Europe/Madrid")
    service = world.service()
    doctor = world.doctor(clinic, service)
    patient = world.user("patient", locale="en")
    starts = datetime(2031, 6, 2, 7, 0, tzinfo=timezone.utc)  # 09:00 in Madrid (summer time)
    appt = world.appointment(doctor, patient, service, starts, event=True)
    workers(env)
    assert scheduler_once(env).returncode == 0
    [confirmation] = fake.wait_for(patient["email"], 1)
    assert confirmation["path"] == "smtp"
    assert confirmation["subject"].startswith("Appointment confirmed")
    assert "09:00 (Europe/Madrid)" in confirmation["text"] and "Calle Mayor 1" in confirmation["text"]
    # The manage link (no sign-in), minted by the worker for this email; no signed-in /appointments/ link.
    assert re.search(r"https://clinic\.example/a/[A-Za-z0-9_-]{22}\b", confirmation["text"])
    assert "https://clinic.example/appointments/" not in confirmation["text"]
    invite = _ics(confirmation)
    assert invite["METHOD"] == "REQUEST" and invite["SEQUENCE"] == "0"

    with world.engine.begin() as conn:  # moved then cancelled in one transaction: the worker sees both at once
        conn.execute(
            text(
                "UPDATE appointments SET starts_at = starts_at + interval '1 day', "
                "ends_at = ends_at + interval '1 day', blocked_until = blocked_until + interval '1 day', "
                "sequence = 1 WHERE id = :a"
            ),
            {"a": appt},
        )
        conn.execute(
            text(
                "INSERT INTO outbox (topic, payload) VALUES ('appointment.rescheduled', jsonb_build_object("
                "'appointment_id', CAST(:a AS bigint), 'previous_starts_at', CAST(:p AS text)))"
            ),
            {"a": appt, "p": starts.isoformat()},
        )
        conn.execute(text("UPDATE appointments SET status = 'cancelled', sequence = 2 WHERE id = :a"), {"a": appt})
        conn.execute(
            text(
                "INSERT INTO outbox (topic, payload) VALUES ('appointment.cancelled', "
                "jsonb_build_object('appointment_id', CAST(:a AS bigint), 'cause', 'patient'))"
            ),
            {"a": appt},
        )
    assert scheduler_once(env).returncode == 0
    # The reschedule notice was processed after the cancellation committed: it is skipped, not sent stale.
    emails = fake.wait_for(patient["email"], 2)
    wait_until(
        lambda: (
            world.scalar(
                "SELECT count(*) FROM deliveries WHERE appointment_id = :a AND status IN ('pending', 'sending')", a=appt
            )
            == 0
        ),
        timeout=10,
    )
    emails = fake.to(patient["email"])
    kinds = sorted(e["subject"].split(":")[0] for e in emails)
    assert kinds == ["Appointment cancelled", "Appointment confirmed"]
    cancel = next(e for e in emails if e["subject"].startswith("Appointment cancelled"))
    fields = _ics(cancel)
    assert fields["METHOD"] == "CANCEL" and fields["SEQUENCE"] == "2" and fields["UID"] == invite["UID"]
    assert fake.distinct_keys() == len(fake.emails) == 2
    statuses = world.sql("SELECT kind, status FROM deliveries WHERE appointment_id = :a", a=appt)
    assert sorted(tuple(r) for r in statuses) == [
        ("cancelled", "sent"),
        ("confirmation", "sent"),
        ("rescheduled", "skipped"),
    ]


def test_workers_relay_the_outbox_themselves_within_a_couple_of_seconds(world, fake, env, workers):
    """With only `web` and `worker` up (no scheduler), the confirmation still leaves: each worker process
    runs the relay, polling the outbox a few times a second."""
    clinic = world.clinic()
    service = world.service()
    doctor = world.doctor(clinic, service)
    patient = world.user()
    worker = workers(env)
    assert wait_until(lambda: "ready for action" in worker.output(), timeout=15)
    started = time.monotonic()
    world.appointment(doctor, patient, service, datetime(2031, 6, 2, 7, 0, tzinfo=timezone.utc), event=True)
    assert len(fake.wait_for(patient["email"], 1, timeout=10)) == 1
    assert time.monotonic() - started < 3.0


def test_a_cancellation_by_the_clinic_carries_its_reason_to_the_patient(world, fake, env, workers):
    clinic = world.clinic("Europe/Madrid")
    service = world.service()
    doctor = world.doctor(clinic, service)
    by_staff, by_self = world.user("patient", locale="es"), world.user("patient", locale="en")
    starts = datetime(2031, 6, 3, 7, 0, tzinfo=timezone.utc)
    first = world.appointment(doctor, by_staff, service, starts)
    second = world.appointment(doctor, by_self, service, starts.replace(hour=9))
    with world.engine.begin() as conn:
        for appt, cause, reason in (
            (first, "staff", "La doctora está enferma <hoy>"),
            (second, "patient", "my own private words"),
        ):
            conn.execute(
                text(
                    "UPDATE appointments SET status = 'cancelled', sequence = 1, cancellation_reason = :r WHERE id = :a"
                ),
                {"a": appt, "r": reason},
            )
            conn.execute(
                text(
                    "INSERT INTO outbox (topic, payload) VALUES ('appointment.cancelled', "
                    "jsonb_build_object('appointment_id', CAST(:a AS bigint), 'cause', CAST(:c AS text)))"
                ),
                {"a": appt, "c": cause},
            )
    workers(env)
    assert scheduler_once(env).returncode == 0
    [staff_email] = fake.wait_for(by_staff["email"], 1)
    assert staff_email["subject"].startswith("Cita cancelada")
    assert "Motivo: La doctora está enferma <hoy>" in staff_email["text"]
    assert "Motivo: La doctora está enferma &lt;hoy&gt;" in staff_email["html"]
    [self_email] = fake.wait_for(by_self["email"], 1)
    assert self_email["subject"].startswith("Appointment cancelled")
    assert "my own private words" not in self_email["text"] and "Reason:" not in self_email["text"]
