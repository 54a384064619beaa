"""Migration 0013 stores each appointment's iCalendar UID; rows booked before it keep the UID they were
sent with (`<uid>@<EMAIL_FROM's domain>`), so events already in patients' calendars keep matching."""

from __future__ import annotations

import psycopg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from clinic.db import make_engine
from tests.conftest import TEST_DATABASE_URL
from web.cli import alembic_config

URL = TEST_DATABASE_URL + "_uid_migration"


def _recreate(*, drop_only: bool = False) -> None:
    base, name = URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def _revision() -> tuple[str, str]:
    """(this migration, the one before it), found by name: the chain may be renumbered when merged."""
    script = ScriptDirectory.from_config(alembic_config(URL))
    [rev] = [r for r in script.walk_revisions() if r.path.endswith("_appointment_ical_uid.py")]
    return rev.revision, rev.down_revision


@pytest.fixture()
def database():
    _recreate()
    engine = make_engine(URL)
    yield engine
    engine.dispose()
    _recreate(drop_only=True)


def _book_one(conn) -> str:
    ids = {}
    for role in ("patient", "doctor"):
        ids[role] = conn.execute(
            text("INSERT INTO users (email, password_hash, full_name, role) VALUES (:e, 'x', 'N', :r) RETURNING id"),
            {"e": f"{role}@example.com", "r": role},
        ).scalar_one()
    clinic = conn.execute(text("INSERT INTO clinics (name, timezone) VALUES ('C', 'Europe/Madrid') RETURNING id"))
    clinic = clinic.scalar_one()
    service = conn.execute(text("INSERT INTO services (name, duration_minutes) VALUES ('S', 30) RETURNING id"))
    service = service.scalar_one()
    doctor = conn.execute(
        text("INSERT INTO doctors (user_id, clinic_id, specialty) VALUES (:u, :c, 'G') RETURNING id"),
        {"u": ids["doctor"], "c": clinic},
    ).scalar_one()
    return str(
        conn.execute(
            text(
                "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until) "
                "VALUES (:d, :p, :s, :c, '2027-03-29 07:00Z', '2027-03-29 07:30Z', '2027-03-29 07:30Z') RETURNING uid"
            ),
            {"d": doctor, "p": ids["patient"], "s": service, "c": clinic},
        ).scalar_one()
    )


def test_existing_rows_keep_their_uid_and_new_ones_get_a_fixed_one(database, monkeypatch):
    revision, before = _revision()
    config = alembic_config(URL)
    command.upgrade(config, before)
    with database.begin() as conn:
        old_uid = _book_one(conn)
    monkeypatch.setenv("EMAIL_FROM", "Clínica Sol <citas@clinica-sol.example>")
    command.upgrade(config, revision)
    with database.begin() as conn:
        backfilled = conn.execute(text("SELECT ical_uid FROM appointments")).scalar_one()
        assert backfilled == f"{old_uid}@clinica-sol.example"
        conn.execute(text("UPDATE appointments SET status = 'cancelled'"))
        conn.execute(
            text(
                "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until) "
                "SELECT doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until FROM appointments"
            )
        )
        new = conn.execute(text("SELECT ical_uid FROM appointments WHERE status = 'booked'")).scalar_one()
    assert "@" not in new and len(new) == 36  # a UUID, no domain
    command.downgrade(config, before)
