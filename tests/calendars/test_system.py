"""The whole path, as deployed: gunicorn web, the scheduler's outbox relay and a dramatiq worker.

A patient and a doctor subscribe; the patient books, reschedules and cancels through the HTTP API; both
feeds follow within seconds with nobody touching them, and the invites reach the (fake) mailbox. Runs on a
database of its own (created and dropped here), so the processes never meet the rest of the suite's data.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from datetime import date, datetime, timedelta
from urllib import request as urlrequest
from urllib.error import HTTPError

import psycopg
import pytest
from alembic import command

from clinic.db import make_engine, make_session_factory
from clinic.identity import service as accounts
from clinic.unit_of_work import UnitOfWork
from tests.calendars import strict
from tests.conftest import PASSWORD, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.fake_mail import FakeMail
from tests.support.fake_smtp import calendar_part
from tests.support.processes import ProcfileProcesses
from web.cli import alembic_config

E2E_DATABASE_URL = TEST_DATABASE_URL + "_feeds_e2e"


def _recreate(url: str, *, drop_only: bool = False) -> None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="module")
def system(tmp_path_factory, redis_client):
    _recreate(E2E_DATABASE_URL)
    command.upgrade(alembic_config(E2E_DATABASE_URL), "head")
    engine = make_engine(E2E_DATABASE_URL)
    with UnitOfWork(make_session_factory(engine)) as uow:
        s = uow.session
        accounts.create_user(s, email="admin@feeds-e2e.example.com", password=PASSWORD, full_name="Admin", role="admin")
    engine.dispose()
    try:
        with FakeMail() as resend:
            processes = ProcfileProcesses(
                ["web", "worker", "scheduler"],
                {
                    "APP_ENV": "development",
                    "DATABASE_URL": E2E_DATABASE_URL,
                    "REDIS_URL": TEST_REDIS_URL,
                    "JWT_SECRET_KEY": "e2e-feeds-" + uuid.uuid4().hex * 2,
                    "RESEND_API_KEY": "re_e2e",
                    "EMAIL_FROM": "Clínica E2E <citas@example.com>",
                    "RESEND_API_URL": resend.url,
                    "SMTP_URL": resend.smtp_url,
                    "FRONTEND_ORIGIN": "http://127.0.0.1",
                    "RATELIMIT_ENABLED": "0",
                    "BCRYPT_ROUNDS": "4",
                    "WORKER_PROCESSES": "1",
                    "WORKER_THREADS": "2",
                },
                tmp_path_factory.mktemp("e2e-feeds"),
            )
            processes.env["PUBLIC_URL"] = processes.base  # feed URLs start with it (issue 13.14)
            with processes:
                yield processes, resend
            for name in ("web", "worker", "scheduler"):
                assert "Traceback" not in processes.log(name), processes.log(name)[-3000:]
    finally:
        redis_client.flushdb()  # nothing this system enqueued may reach a later test's worker
        _recreate(E2E_DATABASE_URL, drop_only=True)


def _ok(system, method, path, token=None, body=None, status=200):
    got, answer = system.call(method, path, token, body)
    assert got == status, (method, path, got, answer)
    return answer


def _feed_events(url: str) -> list[dict]:
    try:
        with urlrequest.urlopen(url, timeout=10) as response:
            body = response.read()
    except HTTPError as err:
        raise AssertionError(f"feed answered {err.code}") from err
    strict.parse(body)
    return strict.icaljs(body)["events"]


def _until(what: str, check, timeout: float = 20.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"the feed never showed {what} within {timeout} s")


@pytest.mark.e2e
def test_feeds_follow_the_api_through_relay_and_worker(system):
    web, resend = system
    login = {"email": "admin@feeds-e2e.example.com", "password": PASSWORD}
    admin = _ok(web, "POST", "/api/auth/login", body=login)["access_token"]
    clinic = _ok(
        web,
        "POST",
        "/api/clinics",
        admin,
        {"name": "Clínica Norte", "timezone": "America/New_York", "address": "1 Main St, New York"},
        status=201,
    )
    service = _ok(web, "POST", "/api/services", admin, {"name": "Consulta", "duration_minutes": 30}, status=201)
    doctor = _ok(
        web,
        "POST",
        "/api/doctors",
        admin,
        {
            "email": "doc@feeds-e2e.example.com",
            "password": PASSWORD,
            "full_name": "Dr. Feed",
            "specialty": "general",
            "clinic_id": clinic["id"],
            "service_ids": [service["id"]],
        },
        status=201,
    )
    _ok(
        web,
        "PUT",
        f"/api/doctors/{doctor['id']}/working-hours",
        admin,
        [{"weekday": day, "start": "08:00", "end": "18:00"} for day in range(7)],
    )
    patient = _ok(
        web,
        "POST",
        "/api/auth/register",
        body={"email": "ana@feeds-e2e.example.com", "password": PASSWORD, "full_name": "Ana Feed", "locale": "en"},
        status=201,
    )
    patient_token = patient["access_token"]
    # Invites to a self-registered patient wait until the address is verified: open the emailed link.
    [link] = resend.wait_for("ana@feeds-e2e.example.com", 1)
    token = re.search(r"verify-email\?token=([\w-]+)", link["text"]).group(1)
    _ok(web, "POST", "/api/auth/verify-email", body={"token": token}, status=204)
    doctor_token = _ok(
        web, "POST", "/api/auth/login", body={"email": "doc@feeds-e2e.example.com", "password": PASSWORD}
    )["access_token"]

    patient_url = _ok(web, "GET", "/api/me/calendar", patient_token)["url"]
    doctor_url = _ok(web, "GET", "/api/me/calendar", doctor_token)["url"]
    assert patient_url.startswith(web.base + "/api/calendar/")
    assert _feed_events(patient_url) == [] and _feed_events(doctor_url) == []

    start = date.today() + timedelta(days=4)
    slots = _ok(
        web,
        "GET",
        f"/api/doctors/{doctor['id']}/slots?service_id={service['id']}&from={start}&to={start + timedelta(days=3)}",
        patient_token,
    )["slots"]
    booked = _ok(
        web,
        "POST",
        "/api/appointments",
        patient_token,
        {"doctor_id": doctor["id"], "service_id": service["id"], "starts_at": slots[0]["starts_at"]},
        status=201,
    )

    def shows(url, starts_at, sequence):
        events = _feed_events(url)
        return (
            len(events) == 1
            and events[0]["sequence"] == sequence
            and strict.js_utc(events[0]["start_utc"]) == datetime.fromisoformat(starts_at)
        )

    took = [
        _until("the booking", lambda: shows(patient_url, slots[0]["starts_at"], 0)),
        _until("the booking (doctor)", lambda: shows(doctor_url, slots[0]["starts_at"], 0)),
    ]
    moved = _ok(web, "PATCH", f"/api/appointments/{booked['id']}", patient_token, {"starts_at": slots[6]["starts_at"]})
    took.append(_until("the new time", lambda: shows(patient_url, moved["starts_at"], moved["sequence"])))
    took.append(_until("the new time (doctor)", lambda: shows(doctor_url, moved["starts_at"], moved["sequence"])))
    assert _feed_events(patient_url)[0]["start_local"] == moved["starts_at"][:19]  # New York wall clock
    _ok(web, "POST", f"/api/appointments/{booked['id']}/cancel", patient_token, {})
    took.append(_until("the cancellation", lambda: _feed_events(patient_url) == []))
    took.append(_until("the cancellation (doctor)", lambda: _feed_events(doctor_url) == []))
    print("feed caught up after (s):", [round(t, 2) for t in took])
    assert max(took) < 15, took

    # The mailbox got the three invites, one UID, rising SEQUENCE, REQUEST → REQUEST → CANCEL.
    invites = []
    deadline = time.monotonic() + 20
    while len(invites) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        attachments = [
            a
            for email in resend.to("ana@feeds-e2e.example.com")
            for a in email.get("attachments") or []
            if a.get("filename") == "invite.ics"
        ]
        invites = []
        for attachment in attachments:
            cal = strict.icaljs(base64.b64decode(attachment["content"]))
            invites.append((cal["method"], cal["events"][0]["uid"], cal["events"][0]["sequence"]))
    invites.sort(key=lambda item: item[2])
    assert [method for method, *_ in invites] == ["REQUEST", "REQUEST", "CANCEL"]
    for email in resend.to("ana@feeds-e2e.example.com"):  # each invite an iMIP message: its part's method is METHOD
        if email.get("path") != "smtp":
            continue  # the address verification email (HTTP API)
        method, body = calendar_part(email["msg"])
        assert strict.parse(body).method == method
    assert len({uid for _, uid, _ in invites}) == 1
    assert [seq for *_, seq in invites] == sorted({seq for *_, seq in invites})
