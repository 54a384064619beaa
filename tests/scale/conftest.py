"""Fixtures of the scale tests: real PgBouncer, HAProxy, several web instances and workers, a private
PostgreSQL and Redis for the chaos test. Every module here is marked `scale` (run alone: `pytest -m scale`,
or leave them out of a quick run: `-m "not scale"`); `bin/test` runs them with the rest."""

from __future__ import annotations

import json
import subprocess
import threading
import uuid
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from urllib import request as urlrequest
from urllib.error import HTTPError, URLError
from zoneinfo import ZoneInfo

import pytest

from tests.support.async_world import PY, ROOT
from tests.support.database import empty_tables
from tests.support.fake_mail import FakeMail

PASSWORD = "Correct-Horse-9"
ZONE = ZoneInfo("Europe/Madrid")


@pytest.fixture()
def fake():
    with FakeMail() as server:
        yield server


@pytest.fixture()
def clean_database(engine, redis_client):
    """The test commits real rows through real processes: empty every table before and after."""
    from tests.conftest import TEST_DATABASE_URL

    empty_tables(TEST_DATABASE_URL)
    redis_client.flushdb()
    yield TEST_DATABASE_URL
    empty_tables(TEST_DATABASE_URL)
    redis_client.flushdb()


def call(base: str, method: str, path: str, token: str | None = None, body=None, timeout: float = 30):
    """One HTTP request; (status, JSON body or text, headers by lower-case name). Connection failures raise."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urlrequest.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urlrequest.urlopen(req, timeout=timeout) as r:
            status, raw, hdrs = r.status, r.read(), {k.lower(): v for k, v in r.headers.items()}
    except HTTPError as e:
        status, raw, hdrs = e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return status, parsed, hdrs


def race(n: int, fn) -> list:
    """Run fn(i) for i in range(n) on n threads released at the same instant; their results in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except (URLError, OSError) as exc:  # a refused or reset connection is a failure the test reports
            results[i] = ("connection", repr(exc))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def future_day(days: int = 3) -> date:
    return (datetime.now(ZONE) + timedelta(days=days)).date()


def local(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).isoformat()


def new_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def create_admin(env: dict) -> str:
    """An admin made by the contract's CLI (`flask --app web create-user`) with the processes' environment."""
    email = new_email("admin")
    subprocess.run(
        [
            PY,
            "-m",
            "flask",
            "--app",
            "web",
            "create-user",
            "--email",
            email,
            "--password",
            PASSWORD,
            "--name",
            "Admin",
            "--role",
            "admin",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return email


def login(base: str, email: str) -> dict:
    status, body, _ = call(base, "POST", "/api/auth/login", body={"email": email, "password": PASSWORD})
    assert status == 200, body
    return body


def make_clinic(base: str, admin_token: str, *, hours: tuple[str, str] = ("08:00", "20:00"), minutes: int = 30) -> dict:
    """Through the API: a clinic in Madrid, a service, a doctor working every day `hours`."""
    status, clinic, _ = call(
        base,
        "POST",
        "/api/clinics",
        admin_token,
        {"name": "Clínica Norte", "timezone": "Europe/Madrid", "address": "Calle 1"},
    )
    assert status == 201, clinic
    status, service, _ = call(
        base, "POST", "/api/services", admin_token, {"name": "Consulta", "duration_minutes": minutes}
    )
    assert status == 201, service
    doctor_email = new_email("doctor")
    status, doctor, _ = call(
        base,
        "POST",
        "/api/doctors",
        admin_token,
        {
            "email": doctor_email,
            "password": PASSWORD,
            "full_name": "Dra. Vega",
            "specialty": "General",
            "clinic_id": clinic["id"],
            "service_ids": [service["id"]],
        },
    )
    assert status == 201, doctor
    status, stored, _ = call(
        base,
        "PUT",
        f"/api/doctors/{doctor['id']}/working-hours",
        admin_token,
        [{"weekday": d, "start": hours[0], "end": hours[1]} for d in range(7)],
    )
    assert status == 200, stored
    return {"clinic": clinic, "service": service, "doctor": doctor, "doctor_email": doctor_email}


def register(base: str, prefix: str = "patient") -> tuple[str, dict]:
    email = new_email(prefix)
    status, body, _ = call(
        base, "POST", "/api/auth/register", body={"email": email, "password": PASSWORD, "full_name": "Paciente Prueba"}
    )
    assert status == 201, body
    return email, body


def mail_by_recipient(fake) -> dict[str, Counter]:
    """{address: Counter of "smtp" (invitations) and "api" (the HTTP API's emails)}, from one snapshot of the
    fake's mailboxes (each read of `fake.emails` parses every SMTP message again)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for m in fake.emails:
        for to in m["to"] if isinstance(m["to"], list) else [m["to"]]:
            out[str(to)]["smtp" if m["path"] == "smtp" else "api"] += 1
    return out


def wait_mail(fake, count: int, timeout: float) -> int:
    """The number of emails received (both paths), once there are `count` or `timeout` has passed; counted
    without parsing them."""
    import time

    def received() -> int:
        with fake.resend.lock:
            api = len(fake.resend.emails)
        return api + fake.smtp.count()

    end = time.monotonic() + timeout
    while received() < count and time.monotonic() < end:
        time.sleep(0.2)
    return received()
