"""Two scheduler processes at once, then repeated `--once` runs: every email still goes out exactly once."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.async_world import PY, ROOT, Worker, World, process_env, scheduler_once, wait_until
from tests.support.fake_resend import FakeResend


def test_two_schedulers_and_repeated_runs_never_duplicate(engine, redis_client, tmp_path):
    redis_client.flushdb()
    world = World(engine)
    world.sql("DELETE FROM outbox")
    with FakeResend() as fake:
        env = process_env(TEST_DATABASE_URL, TEST_REDIS_URL, fake.url)
        worker = Worker(env, tmp_path / "worker.log", threads=4)
        try:
            madrid = world.clinic("Europe/Madrid")
            service = world.service()
            doctors = [world.doctor(madrid, service) for _ in range(3)]
            at = datetime.now(timezone.utc).replace(microsecond=0)
            patients = []
            for i in range(30):  # 24 h reminders due at `at`; the 2 h ones not yet
                patient = world.user()
                patients.append(patient)
                world.appointment(
                    doctors[i % 3],
                    patient,
                    service,
                    at + timedelta(hours=5, minutes=30 * (i // 3)),
                    scheduled_at=at - timedelta(days=3),
                )
            cmd = [PY, "-m", "scheduler", "--once", "--at", at.isoformat()]
            both = [
                subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for _ in range(2)
            ]
            assert [p.wait(timeout=60) for p in both] == [0, 0]
            for _ in range(2):
                assert scheduler_once(env, at=at).returncode == 0
            assert scheduler_once(env, at=at + timedelta(minutes=1)).returncode == 0
            mine = lambda: [e for p in patients for e in fake.to(p["email"])]  # noqa: E731
            assert len(wait_until(lambda: len(mine()) >= 30 and mine(), timeout=30)) == 30
            assert wait_until(lambda: redis_client.hlen("dramatiq:default.msgs") == 0, timeout=20)
            for patient in patients:
                assert len(fake.to(patient["email"])) == 1
            assert (
                world.scalar(
                    "SELECT count(*) FROM deliveries WHERE kind = 'reminder' AND recipient_id = ANY(:u)",
                    u=[p["id"] for p in patients],
                )
                == 30
            )
        finally:
            worker.stop()
            world.cleanup()
