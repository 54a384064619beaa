"""The whole system for browser tests: the built frontend served by the real gunicorn web process, a real
dramatiq worker, PostgreSQL, Redis, a fake Resend server and a real SMTP server on loopback (invitations),
and Debian's Chromium driven by Playwright.

Data is committed for real, so every name is unique to the run and the tables are emptied at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clinic.db import make_session_factory
from clinic.identity import service as accounts
from clinic.unit_of_work import UnitOfWork
from tests.conftest import PASSWORD, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.database import empty_tables
from tests.support.fake_mail import FakeMail
from tests.support.processes import ProcfileProcesses

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ZONE = "Europe/Madrid"


def _build_frontend() -> None:
    """Build frontend/dist when it is missing or older than the sources (bin/test builds it too)."""
    dist = FRONTEND / "dist" / "index.html"
    sources = [p for p in (FRONTEND / "src").rglob("*") if p.is_file()] + [FRONTEND / "index.html"]
    if dist.exists() and dist.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to build the frontend for the browser tests")
    if not (FRONTEND / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True, timeout=300)
    subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True, timeout=300)


# Module scope: the processes stop and the tables are emptied as soon as the browser tests end, before
# the rest of the suite runs (its workers and row counts must not meet this module's data or worker).
@pytest.fixture(scope="module")
def system(engine, tmp_path_factory):
    _build_frontend()
    with FakeMail() as mail:
        processes = ProcfileProcesses(
            ["web", "worker"],
            {
                "APP_ENV": "development",
                "DATABASE_URL": TEST_DATABASE_URL,
                "REDIS_URL": TEST_REDIS_URL,
                "JWT_SECRET_KEY": "e2e-browser-" + uuid.uuid4().hex * 2,
                "RESEND_API_KEY": "re_e2e",
                "EMAIL_FROM": "Clínica E2E <citas@example.com>",
                "RESEND_API_URL": mail.url,
                "SMTP_URL": mail.smtp_url,
                "RATELIMIT_ENABLED": "0",
                "BCRYPT_ROUNDS": "4",
                "WORKER_PROCESSES": "1",
                "WORKER_THREADS": "2",
            },
            tmp_path_factory.mktemp("e2e-browser"),
        )
        processes.env["FRONTEND_ORIGIN"] = processes.base
        processes.mail = mail  # what the system sent: confirmations arrive over SMTP
        with processes:
            yield processes
        web_log = processes.log("web")
    try:
        _assert_clean_log(web_log)
    finally:
        _empty_tables()


def _assert_clean_log(log: str) -> None:
    assert "Traceback" not in log, log[-3000:]
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    server_errors = [e for e in lines if e.get("logger") == "web.access" and int(e.get("status", 0)) >= 500]
    assert server_errors == [], server_errors


def _empty_tables() -> None:
    """Leave the shared test database as the schema migration left it (other tests count rows)."""
    empty_tables(TEST_DATABASE_URL)


class World:
    """Who and what the scenarios use; created through the real API as an admin would."""

    def __init__(self, system: ProcfileProcesses, engine):
        self.system = system
        self.tag = uuid.uuid4().hex[:8]
        admin_email = self.email("admin")
        with UnitOfWork(make_session_factory(engine)) as uow:
            session = uow.session
            accounts.create_user(session, email=admin_email, password=PASSWORD, full_name="Admin E2E", role="admin")
        self.admin_email = admin_email
        self.admin = self.login(admin_email)
        self.clinic = self.ok(
            "POST",
            "/api/clinics",
            {"name": f"Clínica Centro {self.tag[:4]}", "timezone": ZONE, "address": "Calle Mayor 1, Madrid"},
        )
        self.service = self.ok("POST", "/api/services", {"name": "Consulta general", "duration_minutes": 30})
        self.doctor_email = self.email("doctor")
        self.doctor = self.ok(
            "POST",
            "/api/doctors",
            {
                "email": self.doctor_email,
                "password": PASSWORD,
                "full_name": f"Dra. Elena Martín {self.tag[:4]}",
                "specialty": "Cardiología",
                "clinic_id": self.clinic["id"],
                "service_ids": [self.service["id"]],
            },
        )
        self.ok(
            "PUT",
            f"/api/doctors/{self.doctor['id']}/working-hours",
            [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)],
        )
        self.receptionist_email = self.email("desk")
        self.ok(
            "POST",
            "/api/users",
            {
                "email": self.receptionist_email,
                "password": PASSWORD,
                "full_name": "Rosa Recepción",
                "role": "receptionist",
            },
        )
        self.walk_in = self.ok(
            "POST",
            "/api/users",
            {
                "email": self.email("lucia"),
                "password": PASSWORD,
                "full_name": f"Lucía Gómez {self.tag[:4]}",
                "role": "patient",
            },
        )
        self.seen = self.ok(
            "POST",
            "/api/users",
            {
                "email": self.email("pablo"),
                "password": PASSWORD,
                "full_name": f"Pablo Ortega {self.tag[:4]}",
                "role": "patient",
            },
        )
        self.started = self._started_appointment(engine)

    def email(self, who: str) -> str:
        return f"{who}-{self.tag}@example.com"

    def login(self, email: str) -> str:
        return self.login_with(email, PASSWORD)

    def login_with(self, email: str, password: str) -> str:
        status, body = self.system.call("POST", "/api/auth/login", body={"email": email, "password": password})
        assert status == 200, body
        return body["access_token"]

    def ok(self, method: str, path: str, body=None, token: str | None = None):
        status, answer = self.system.call(method, path, token or self.admin, body=body)
        assert 200 <= status < 300, (method, path, status, answer)
        return answer

    def _started_appointment(self, engine) -> int:
        """An appointment that began a few minutes ago (no API books the past): the doctor's attendance case."""
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        midnight = datetime.now(ZoneInfo(ZONE)).replace(hour=0, minute=0, second=0, microsecond=0)
        starts = max(now - timedelta(minutes=20), midnight.astimezone(timezone.utc))
        ends = starts + timedelta(minutes=30)
        with engine.begin() as conn:
            return conn.exec_driver_sql(
                "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, "
                "blocked_until, status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'booked') RETURNING id",
                (self.doctor["id"], self.seen["id"], self.service["id"], self.clinic["id"], starts, ends, ends),
            ).scalar_one()

    def appointments(self, **query) -> list[dict]:
        path = "/api/appointments?" + "&".join(f"{k}={v}" for k, v in query.items())
        return self.ok("GET", path)


@pytest.fixture(scope="module")
def world(system, engine) -> World:
    return World(system, engine)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def browser_zone():
    """The browser's own time zone: never the clinic's, so that a mix-up shows."""
    return "America/New_York"


@pytest.fixture()
def page(browser, system, browser_zone):
    """A fresh browser profile per test; fails the test on any console error, page error or 5xx."""
    context = browser.new_context(
        base_url=system.base, viewport={"width": 1280, "height": 900}, locale="es-ES", timezone_id=browser_zone
    )
    problems: list[str] = []
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err} {getattr(err, 'stack', '')}"))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
    yield page
    context.close()
    assert problems == [], problems
