"""No email address reaches the logs: a full run of the real web and worker processes (sign-ups, failed
sign-ins until rate limited, booking, verification, emails), then every line they printed is scanned
for every address the run created."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from clinic.identity import service as accounts
from tests.conftest import PASSWORD, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.async_world import World, process_env, wait_until
from tests.support.fake_resend import FakeResend
from tests.support.processes import ProcfileProcesses

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Lagarto-Verde-77"


@pytest.fixture()
def world(engine):
    w = World(engine)
    yield w
    w.cleanup()


def _arrange(world) -> tuple[dict, int, str]:
    """A clinic open every day 08:00-20:00 with one doctor and one service, and an existing patient."""
    clinic, service = world.clinic(), world.service()
    doctor = world.doctor(clinic, service)
    for weekday in range(7):
        world.sql(
            "INSERT INTO working_hours (doctor_id, weekday, start_time, end_time) VALUES (:d, :w, '08:00', '20:00')",
            d=doctor["id"],
            w=weekday,
        )
    owner_email = f"pii-owner-{uuid.uuid4().hex[:8]}@example.com"
    with Session(world.engine) as session, session.begin():
        owner = accounts.create_user(
            session, email=owner_email, password=PASSWORD, full_name="Olga Dueña", role="patient"
        )
        world.users.append(owner.id)
    return doctor, service, owner_email


def test_a_full_run_logs_no_email_address(world, redis_client):
    doctor, service, owner_email = _arrange(world)
    new_email = f"pii-new-{uuid.uuid4().hex[:8]}@example.com"
    redis_client.flushdb()
    with FakeResend() as fake:
        env = process_env(
            TEST_DATABASE_URL,
            TEST_REDIS_URL,
            fake.url,
            RATELIMIT_ENABLED="1",
            RATELIMIT_AUTH="5 per minute",
            BCRYPT_ROUNDS="4",
            WEB_CONCURRENCY="1",
        )
        with ProcfileProcesses(["web", "worker"], env) as system:
            body = {"password": NEW_PASSWORD, "full_name": "Nuria Nueva", "locale": "en"}
            status, fresh = system.call("POST", "/api/auth/register", body={"email": new_email, **body})
            assert status == 201
            world.users.append(fresh["user"]["id"])
            status, shadow = system.call("POST", "/api/auth/register", body={"email": owner_email.upper(), **body})
            assert status == 201
            world.users.append(shadow["user"]["id"])
            status, _ = system.call(
                "POST", "/api/auth/register", body={"email": new_email, "password": new_email, "full_name": "N"}
            )
            assert status == 422

            statuses = [
                system.call("POST", "/api/auth/login", body={"email": owner_email, "password": "Wrong-Guess-1"})[0]
                for _ in range(7)
            ]
            assert statuses[0] == 401 and statuses[-1] == 429

            token = fresh["access_token"]
            start = date.today() + timedelta(days=2)
            status, slots = system.call(
                "GET",
                f"/api/doctors/{doctor['id']}/slots?service_id={service}&from={start}&to={start + timedelta(days=6)}",
                token,
            )
            assert status == 200 and slots["slots"]
            status, appointment = system.call(
                "POST",
                "/api/appointments",
                token,
                body={"doctor_id": doctor["id"], "service_id": service, "starts_at": slots["slots"][0]["starts_at"]},
            )
            assert status == 201, appointment

            emails = fake.wait_for(new_email, 2)  # the verification link and the confirmation, with its invite
            assert len(emails) == 2
            link = next(e for e in emails if "verify-email?token=" in e["text"])
            verify_token = re.search(r"verify-email\?token=([\w-]+)", link["text"]).group(1)
            assert system.call("POST", "/api/auth/verify-email", body={"token": verify_token})[0] == 204
            assert len(fake.wait_for(owner_email, 1)) == 1  # someone tried to sign up with your address
            assert wait_until(
                lambda: world.scalar("SELECT count(*) FROM deliveries WHERE status = 'sending'") == 0, timeout=10
            )
            system.stop()
            logs = {name: system.log(name) for name in ("web", "worker")}

    refusals = [line for line in logs["web"].splitlines() if "exceeded" in line]
    assert refusals  # the rate limiter did log its refusals, naming no client address either
    assert not any("127.0.0.1" in line for line in refusals), refusals
    everything = "\n".join(logs.values()).lower()
    created = [new_email, owner_email, doctor["email"]]
    for address in created:
        local = address.split("@")[0].lower()
        assert local not in everything, f"{address} (or part of it) is in the logs"
    for name in ("Nuria Nueva", "Olga Dueña"):  # nor the names given
        assert name.lower() not in everything, name
