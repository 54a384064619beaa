"""Redis stops for 30 s under booking traffic: no request fails, every confirmation arrives after it returns.

Runs its own redis-server on a free loopback port (the shared one is never touched), the real scheduler
loop and a real worker, and books through the Flask app with real commits.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from clinic.identity import service as accounts
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.support.async_world import PY, ROOT, process_env, wait_until
from tests.support.processes import free_port

OUTAGE_SECONDS = 30


def _redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    assert wait_until(lambda: _pings(redis.Redis(port=port)), timeout=10)
    return proc


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:  # noqa: BLE001 — not up yet
        return False


@pytest.mark.e2e
@pytest.mark.timeout(150)
def test_bookings_succeed_while_redis_is_down_and_confirmations_follow(world, fake, workers, tmp_path):
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    server = _redis(port)
    env = process_env(TEST_DATABASE_URL, redis_url, fake.url, SMTP_URL=fake.smtp_url, SCHEDULER_SWEEP_SECONDS=3600)
    scheduler_log = open(tmp_path / "scheduler.log", "wb")
    scheduler = subprocess.Popen(
        [PY, "-m", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=scheduler_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        workers(env)
        from web import create_app

        app = create_app({"SETTINGS": make_settings(REDIS_URL=redis_url), "TESTING": True, "ACCESS_LOG": False})
        client = app.test_client()
        clinic = world.clinic("Europe/Madrid")
        service = world.service()
        doctor = world.doctor(clinic, service)
        world.sql(
            "INSERT INTO working_hours (doctor_id, weekday, start_time, end_time) "
            "SELECT :d, g, '00:00', '23:30' FROM generate_series(0, 6) g",
            d=doctor["id"],
        )
        day = (datetime.now(ZoneInfo("Europe/Madrid")) + timedelta(days=3)).date()
        slots = iter(
            datetime(day.year, day.month, day.day, 0, 0, tzinfo=ZoneInfo("Europe/Madrid")) + timedelta(minutes=30 * i)
            for i in range(46)
        )
        patients = []

        def book() -> int:
            # A patient the front desk registered (a verified address: a self-registered one would get
            # the verification link first and its invite only after opening it).
            email = f"p-{len(patients)}-{world.tag}@example.com"
            with Session(world.engine) as session, session.begin():
                world.users.append(
                    accounts.create_user(
                        session, email=email, password="Correct-Horse-9", full_name="Paciente", role="patient"
                    ).id
                )
            r = client.post("/api/auth/login", json={"email": email, "password": "Correct-Horse-9"})
            assert r.status_code == 200, r.get_json()
            body = r.get_json()
            patients.append(email)
            r = client.post(
                "/api/appointments",
                headers={"Authorization": f"Bearer {body['access_token']}"},
                json={"doctor_id": doctor["id"], "service_id": service, "starts_at": next(slots).isoformat()},
            )
            return r.status_code

        assert [book() for _ in range(2)] == [201, 201]
        # The pipeline works before the outage.
        assert len(fake.wait_for(f"-{world.tag}@example.com", 2, timeout=20)) == 2

        server.terminate()
        server.wait(timeout=10)
        statuses = []
        end = time.monotonic() + OUTAGE_SECONDS
        while time.monotonic() < end:
            statuses.append(book())
            time.sleep(1.0)
        assert statuses and set(statuses) == {201}, statuses
        assert len(fake.emails) == 2  # nothing could leave while Redis was away
        server = _redis(port)

        expected = len(patients)
        assert fake.wait_count(expected, timeout=40) == expected
        for email in patients:
            assert len(fake.to(email)) == 1
        assert fake.distinct_keys() == expected
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=15)
        scheduler_log.close()
        print((tmp_path / "scheduler.log").read_text()[-2000:])
        server.terminate()
        server.wait(timeout=10)
