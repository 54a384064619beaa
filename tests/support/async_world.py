"""Committed test data and real processes for the async engine's tests (workers, scheduler, sweeps).

These tests need real commits (the worker and scheduler are other processes), so they use their own
engine against the test database and delete what they created at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


class World:
    """Creates clinics, doctors, patients and appointments with plain SQL and removes them afterwards."""

    def __init__(self, engine):
        self.engine = engine
        self.users: list[int] = []
        self.clinics: list[int] = []
        self.services: list[int] = []
        self.tag = uuid.uuid4().hex[:8]
        if engine is not None:
            self.forget_reminder_sweeps()

    def forget_reminder_sweeps(self) -> None:
        """Tests write history after the fact (appointments booked days ago, inserted now), which a real
        clinic never does; the reminder sweeps, which only look at what fell due since their last run, start
        over with each world as on a new system."""
        self.sql("DELETE FROM reminder_sweeps")

    def sql(self, statement: str, **params):
        with self.engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else []

    def scalar(self, statement: str, **params):
        rows = self.sql(statement, **params)
        return rows[0][0] if rows else None

    def user(self, role: str = "patient", locale: str = "es", name: str | None = None) -> dict:
        email = f"{role}-{uuid.uuid4().hex[:10]}@async.test"
        uid = self.scalar(
            "INSERT INTO users (email, password_hash, full_name, role, locale) "
            "VALUES (:e, 'x', :n, :r, :l) RETURNING id",
            e=email,
            n=name or f"Ana {role}",
            r=role,
            l=locale,
        )
        self.users.append(uid)
        return {"id": uid, "email": email}

    def clinic(self, zone: str = "Europe/Madrid", noshow: bool = True) -> int:
        cid = self.scalar(
            "INSERT INTO clinics (name, timezone, address, noshow_processing) "
            "VALUES ('Clínica Central', :z, 'Calle Mayor 1, Madrid', :n) RETURNING id",
            z=zone,
            n=noshow,
        )
        self.clinics.append(cid)
        return cid

    def service(self, minutes: int = 30, offsets: list[int] | None = None) -> int:
        sid = self.scalar(
            "INSERT INTO services (name, duration_minutes, reminder_offsets_minutes) "
            "VALUES ('Consulta general', :m, :o) RETURNING id",
            m=minutes,
            o=offsets,
        )
        self.services.append(sid)
        return sid

    def doctor(self, clinic_id: int, service_id: int, locale: str = "es") -> dict:
        user = self.user("doctor", locale=locale, name="Dra. Ruiz")
        did = self.scalar(
            "INSERT INTO doctors (user_id, clinic_id, specialty) VALUES (:u, :c, 'General') RETURNING id",
            u=user["id"],
            c=clinic_id,
        )
        self.sql("INSERT INTO doctor_services VALUES (:d, :s)", d=did, s=service_id)
        return {"id": did, "user_id": user["id"], "email": user["email"], "clinic_id": clinic_id}

    def appointment(
        self,
        doctor: dict,
        patient: dict,
        service_id: int,
        starts_at: datetime,
        *,
        minutes: int = 30,
        scheduled_at: datetime | None = None,
        status: str = "booked",
        event: bool = False,
    ) -> int:
        ends = starts_at + timedelta(minutes=minutes)
        aid = self.scalar(
            """
            INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at,
                                      blocked_until, status, scheduled_at)
            VALUES (:d, :p, :s, :c, :st, :en, :en, :status, :sched) RETURNING id""",
            d=doctor["id"],
            p=patient["id"],
            s=service_id,
            c=doctor["clinic_id"],
            st=starts_at,
            en=ends,
            status=status,
            sched=scheduled_at or starts_at - timedelta(days=7),
        )
        if event:
            self.emit("appointment.booked", appointment_id=aid)
        return aid

    def emit(self, topic: str, **payload) -> None:
        import json

        self.sql("INSERT INTO outbox (topic, payload) VALUES (:t, CAST(:p AS jsonb))", t=topic, p=json.dumps(payload))

    def cleanup(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM outbox"))
            if self.clinics:
                conn.execute(
                    text(
                        "DELETE FROM deliveries WHERE appointment_id IN (SELECT id FROM appointments "
                        "WHERE clinic_id = ANY(:c)) OR recipient_id = ANY(:u)"
                    ),
                    {"c": self.clinics, "u": self.users},
                )
                conn.execute(text("DELETE FROM slot_holds WHERE patient_id = ANY(:u)"), {"u": self.users})
                conn.execute(text("DELETE FROM waitlist_entries WHERE patient_id = ANY(:u)"), {"u": self.users})
                conn.execute(text("DELETE FROM appointments WHERE clinic_id = ANY(:c)"), {"c": self.clinics})
                conn.execute(
                    text("DELETE FROM time_off WHERE doctor_id IN (SELECT id FROM doctors WHERE clinic_id = ANY(:c))"),
                    {"c": self.clinics},
                )
                conn.execute(text("DELETE FROM doctors WHERE clinic_id = ANY(:c)"), {"c": self.clinics})
                conn.execute(text("DELETE FROM clinics WHERE id = ANY(:c)"), {"c": self.clinics})
            if self.services:
                conn.execute(text("DELETE FROM services WHERE id = ANY(:s)"), {"s": self.services})
            if self.users:
                conn.execute(text("DELETE FROM deliveries WHERE recipient_id = ANY(:u)"), {"u": self.users})
                conn.execute(text("DELETE FROM users WHERE id = ANY(:u)"), {"u": self.users})


def process_env(database_url: str, redis_url: str, resend_url: str, **extra) -> dict:
    """The processes' environment; pass SMTP_URL (a FakeSMTP's, see tests/support/fake_mail.py) for
    invitations to go out as iMIP messages, as in production; without it they take the HTTP API."""
    env = {
        "PATH": f"{Path(PY).parent}:{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "RESEND_API_URL": resend_url,
        "RESEND_API_KEY": "re_test",
        "EMAIL_FROM": "Clínica <citas@example.com>",
        "JWT_SECRET_KEY": "test-secret-" + "x" * 32,
        "FRONTEND_ORIGIN": "http://localhost:5173",
        "PUBLIC_URL": "https://clinic.example",
        "RESEND_REQUESTS_PER_SECOND": "20",
        # Prompt requeue of a SIGKILLed worker's messages: stale after 2 s, maintenance on every call.
        "DRAMATIQ_HEARTBEAT_TIMEOUT_MS": "2000",
        "DRAMATIQ_MAINTENANCE_CHANCE": "1000000",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Worker:
    """A real `dramatiq workers.main:boot` process (the Procfile's command) in its own process group."""

    def __init__(self, env: dict, log_path: Path, threads: int = 2):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [
                PY,
                "-m",
                "dramatiq",
                "workers.main:boot",
                "--processes",
                "1",
                "--threads",
                str(threads),
                "--skip-logging",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_exit(self, timeout: float = 30) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)  # the parent stops its children gracefully
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def scheduler_once(env: dict, at: datetime | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    cmd = [PY, "-m", "scheduler", "--once"] + (["--at", at.isoformat()] if at else [])
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def wait_until(predicate, timeout: float = 20, every: float = 0.1):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return predicate()


class SessionWorld(World):
    """The same builders inside a test's rolled-back session (for direct, fine-grained sweep tests)."""

    def __init__(self, session):
        super().__init__(engine=None)
        self.session = session
        self.forget_reminder_sweeps()

    def sql(self, statement: str, **params):
        result = self.session.execute(text(statement), params)
        return result.all() if result.returns_rows else []

    def cleanup(self) -> None:
        pass
