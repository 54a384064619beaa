"""Sign-up emails through a real worker: the verification link, held appointment emails released by it,
and the owner's notice when someone signs up with their address."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from clinic.clock import utcnow
from clinic.identity import signup
from tests.support.async_world import wait_until

PASSWORD = "Lagarto-Verde-77"
STARTS = datetime(2031, 6, 2, 7, 0, tzinfo=timezone.utc)


def sign_up(world, email: str, locale: str = "en") -> dict:
    with Session(world.engine) as session, session.begin():
        user = signup.register(
            session, email=email, password=PASSWORD, full_name="Nuria Nueva", phone=None, locale=locale, now=utcnow()
        )
        user_id = user.id
    world.users.append(user_id)
    return {"id": user_id, "email": email}


def emails_to(fake, address: str) -> list[dict]:
    return [e for e in list(fake.emails) if address.lower() in json.dumps(e.get("to")).lower()]


def delivery_status(world, appointment_id: int) -> str | None:
    return world.scalar(
        "SELECT status FROM deliveries WHERE appointment_id = :a AND kind = 'confirmation'", a=appointment_id
    )


def test_a_new_account_gets_a_link_and_its_invitation(world, fake, env, workers):
    """An unverified account's appointment emails are not held (the contract's flow: sign up, book, get the
    invitation); the verification link comes alongside and still works."""
    clinic, service = world.clinic(), world.service()
    doctor = world.doctor(clinic, service)
    patient = sign_up(world, f"nuria-{uuid.uuid4().hex[:8]}@async.test")
    appointment = world.appointment(doctor, patient, service, STARTS, event=True)
    workers(env)
    emails = fake.wait_for(patient["email"], 2)
    assert sorted(e["subject"].split(":")[0] for e in emails) == ["Appointment confirmed", "Confirm your email address"]
    assert wait_until(lambda: delivery_status(world, appointment) == "sent", timeout=10)
    link_email = next(e for e in emails if e["subject"] == "Confirm your email address")
    token = re.search(r"https://clinic\.example/verify-email\?token=([\w-]+)", link_email["text"]).group(1)
    with Session(world.engine) as session, session.begin():
        assert signup.verify(session, token=token, now=utcnow()).email_verified_at is not None


def test_a_taken_address_s_owner_is_told_once_a_day_and_the_shadow_is_never_emailed(world, fake, env, workers):
    clinic, service = world.clinic(), world.service()
    doctor = world.doctor(clinic, service)
    owner = world.user(locale="es")
    shadows = [sign_up(world, owner["email"].upper()) for _ in range(3)]
    appointment = world.appointment(doctor, shadows[0], service, STARTS, event=True)
    workers(env)
    [notice] = fake.wait_for(owner["email"], 1)
    assert notice["subject"] == "Alguien ha intentado crear una cuenta con tu correo"
    assert "https://clinic.example/login" in notice["text"]
    assert "https://clinic.example/reset-password" in notice["text"]
    assert wait_until(lambda: world.scalar("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0, timeout=10)
    assert wait_until(lambda: delivery_status(world, appointment) == "skipped", timeout=10)
    time.sleep(1)
    assert len(emails_to(fake, owner["email"])) == 1  # one notice; no link, no invite for the shadows
    assert (
        world.scalar("SELECT count(*) FROM email_verifications WHERE user_id = ANY(:u)", u=[s["id"] for s in shadows])
        == 0
    )
