"""Chaos, bounded and on loopback only: under a steady booking load, PostgreSQL restarts, then Redis, then a
worker and then the scheduler are SIGKILLed and started again.

The database and Redis are the test's own (a private cluster from initdb and a private redis-server with an
append-only file), so the machine's shared servers are never touched. Checked:
- every answer is 201, or 503 with Retry-After while PostgreSQL is down (a 409 only for the retry of a
  booking whose 503 hid a commit); nothing else, and no 5xx once PostgreSQL is back;
- every email exactly once: each booking's invitation, each sign-up's verification, each reminder that
  came due during the chaos (sent after recovery when it came due inside an outage); none lost, none twice.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import text

from clinic.db import make_engine
from tests.scale.conftest import (
    call,
    create_admin,
    future_day,
    local,
    login,
    mail_by_recipient,
    make_clinic,
    register,
    wait_mail,
)
from tests.support.async_world import World, process_env
from tests.support.processes import ProcfileProcesses
from tests.support.servers import PrivatePostgres, PrivateRedis, port_in_range
from web.cli import alembic_config

pytestmark = [pytest.mark.scale, pytest.mark.e2e]

GRACE = 3.0  # seconds after PostgreSQL accepts connections again in which requests sent before may still fail
REMINDERS = 12


class Load:
    """Books one distinct slot per patient, one after another, retrying a 503 as its Retry-After asks
    (shortened to 0.5 s), until every patient has booked or `stop` is set; records every answer."""

    def __init__(self, base: str, patients: list, doctors: list[int], service: int, day):
        self.base, self.patients, self.doctors, self.service, self.day = base, patients, doctors, service, day
        self.answers: list[tuple[float, int, int, str | None, str | None]] = []  # (t, patient, status, retry, code)
        self.finals: dict[int, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def slot(self, i: int) -> tuple[int, str]:
        n = i // len(self.doctors)
        return self.doctors[i % len(self.doctors)], local(self.day, n // 2, 30 * (n % 2))

    def run(self) -> None:
        for i, (_, reg) in enumerate(self.patients):
            if self.stop.is_set():
                return
            doctor, starts_at = self.slot(i)
            for _attempt in range(120):  # bounded: 120 tries of at most 0.5 s
                t = time.monotonic()
                try:
                    status, body, headers = call(
                        self.base,
                        "POST",
                        "/api/appointments",
                        reg["access_token"],
                        {"doctor_id": doctor, "service_id": self.service, "starts_at": starts_at},
                        timeout=20,
                    )
                except OSError as exc:  # the web process itself never stops: a refused connection is a failure
                    self.answers.append((t, i, 0, None, repr(exc)))
                    break
                code = body.get("error", {}).get("code") if isinstance(body, dict) else None
                self.answers.append((t, i, status, headers.get("retry-after"), code))
                if status != 503:
                    self.finals[i] = status
                    break
                time.sleep(min(float(headers.get("retry-after") or 1), 0.5))
            time.sleep(0.35)


@pytest.fixture()
def private(tmp_path):
    started = time.monotonic()
    pg = PrivatePostgres()
    redis_server = None
    try:
        url = pg.create_database("clinic_chaos")
        command.upgrade(alembic_config(url), "head")
        redis_server = PrivateRedis(tmp_path / "redis")
        print(f"private PostgreSQL and Redis ready in {time.monotonic() - started:.1f} s")
        yield pg, url, redis_server
    finally:
        if redis_server is not None:
            redis_server.stop()
        pg.destroy()


@pytest.mark.timeout(240)
def test_restarts_and_kills_under_booking_load_lose_no_email_and_send_none_twice(private, fake, tmp_path):
    pg, db_url, redis_server = private
    env = process_env(
        db_url,
        redis_server.url(0),
        fake.url,
        SMTP_URL=fake.smtp_url,
        RATELIMIT_ENABLED="0",
        BCRYPT_ROUNDS="4",
        SCHEDULER_SWEEP_SECONDS="1",
        REMINDER_OFFSETS_MINUTES="1440",
        RESEND_REQUESTS_PER_SECOND="50",
    )
    runs: list[ProcfileProcesses] = []

    def start(kind: str) -> ProcfileProcesses:
        folder = tmp_path / f"{kind}{len(runs)}"
        folder.mkdir()
        system = ProcfileProcesses([kind], env, folder, port=port_in_range() if kind == "web" else None)
        runs.append(system)
        return system.__enter__()

    def kill(system: ProcfileProcesses) -> None:
        proc = next(iter(system.procs.values()))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    t0 = time.monotonic()
    phases: dict[str, float] = {}
    try:
        web = start("web")
        worker = start("worker")
        scheduler = start("scheduler")
        base = web.base
        admin = login(base, create_admin(env))["access_token"]
        first = make_clinic(base, admin, hours=("00:00", "23:30"))
        second = make_clinic(base, admin, hours=("00:00", "23:30"))
        service = first["service"]["id"]
        # the second doctor offers the first one's service too (one service id for the whole load)
        with make_engine(db_url).begin() as conn:
            conn.execute(
                text("INSERT INTO doctor_services VALUES (:d, :s)"), {"d": second["doctor"]["id"], "s": service}
            )
        patients = [register(base, f"chaos{i}") for i in range(60)]  # 2 doctors x 30 slots

        # Reminders that come due one by one across the chaos (24 h before their start, seconds apart).
        world = World(make_engine(db_url))
        clinic_id = world.clinic()
        reminder_service = world.service()
        chaos_start = datetime.now(timezone.utc)
        reminded = []
        for i in range(REMINDERS):
            patient = world.user()
            starts = chaos_start + timedelta(days=1, seconds=6 + 1.5 * i)
            world.appointment(world.doctor(clinic_id, reminder_service), patient, reminder_service, starts)
            reminded.append((patient["email"], starts - timedelta(days=1)))

        phases["setup"] = time.monotonic() - t0
        load = Load(base, patients, [first["doctor"]["id"], second["doctor"]["id"]], service, future_day(3))
        load.thread.start()
        outages: list[tuple[float, float]] = []
        time.sleep(3)

        went, went_at = time.monotonic(), datetime.now(timezone.utc)
        pg.stop("fast")  # every connection of every process is cut
        time.sleep(4)
        pg.start()
        outages.append((went, time.monotonic() + GRACE))
        back_at = datetime.now(timezone.utc)
        time.sleep(3)

        redis_server.stop()  # SIGTERM: the append-only file keeps the queues
        time.sleep(4)
        redis_server.start()
        time.sleep(3)

        kill(worker)
        time.sleep(2)
        worker = start("worker")
        time.sleep(3)

        kill(scheduler)
        time.sleep(2)
        scheduler = start("scheduler")

        load.thread.join(timeout=90)
        load.stop.set()
        load.thread.join(timeout=30)
        chaos_end = datetime.now(timezone.utc)
        phases["load"] = time.monotonic() - t0 - phases["setup"]

        # Answers: 201; 503 + Retry-After only inside the outage; 409 only right after a 503 of the same booking.
        def inside(t: float) -> bool:
            return any(a <= t <= b for a, b in outages)

        unexpected = [
            a
            for a in load.answers
            if not (
                a[2] == 201
                or (a[2] == 503 and a[3] and inside(a[0]))
                or (
                    a[2] == 409
                    and a[4] in ("slot_taken", "patient_busy")
                    and any(b[1] == a[1] and b[2] == 503 for b in load.answers)
                )
            )
        ]
        assert not unexpected, unexpected
        statuses = Counter(a[2] for a in load.answers)
        assert statuses[503] >= 1, statuses  # the outage did happen under load
        assert len(load.finals) == len(patients), "every patient's booking got a final answer"

        with make_engine(db_url).connect() as conn:
            booked = {
                r[0]: r[1]
                for r in conn.execute(
                    text(
                        "SELECT u.email, count(*) FROM appointments a JOIN users u ON u.id = a.patient_id "
                        "WHERE a.status = 'booked' AND u.email LIKE 'chaos%' GROUP BY u.email"
                    )
                )
            }
        assert set(booked.values()) == {1} and len(booked) == len(patients), booked

        # Every reminder came due during the chaos, some while PostgreSQL was down.
        assert all(chaos_start < due < chaos_end for _, due in reminded)
        assert any(went_at < due < back_at for _, due in reminded)
        expected = len(patients) * 2 + REMINDERS  # verification + invitation per patient, one reminder each
        got = wait_mail(fake, expected, timeout=90)
        if got < expected:  # say which are missing, and of what kind
            mail = mail_by_recipient(fake)
            short = {e: dict(mail[e]) for e, _ in patients if mail[e] != {"api": 1, "smtp": 1}}
            short |= {
                f"reminder {e} due {due:%H:%M:%S.%f}": dict(mail[e]) for e, due in reminded if mail[e] != {"api": 1}
            }
            raise AssertionError(f"{got} of {expected} emails; short: {short}")
        phases["mail"] = time.monotonic() - t0 - phases["setup"] - phases["load"]
        time.sleep(3)  # anything sent twice would arrive now
        mail = mail_by_recipient(fake)
        for email, _ in patients:
            assert mail[email] == {"api": 1, "smtp": 1}, (email, mail[email])
        for email, _ in reminded:
            assert mail[email] == {"api": 1}, (email, mail[email])
        ours = {e for e, _ in patients} | {e for e, _ in reminded}
        assert sum(sum(mail[e].values()) for e in ours) == expected
        others = [m for m in fake.emails if not ours & set(m["to"] if isinstance(m["to"], list) else [m["to"]])]
        assert len(others) == len({m["key"] for m in others}), [m["subject"] for m in others]  # none twice
        print(
            f"answers {dict(statuses)}; outage windows {[(round(b - a, 1)) for a, b in outages]} s; "
            f"emails {fake.count()}; provider replays {fake.replays}; phases (s) "
            f"{ {k: round(v, 1) for k, v in phases.items()} }"
        )
    finally:
        for system in runs:
            system.stop()
