"""Behind PgBouncer in transaction pooling mode (as on a host whose PostgreSQL has a connection limit).

Every process (web, worker, scheduler, the CLI) talks to a real PgBouncer that multiplexes them over fewer
server connections than they hold, so consecutive statements of one client land on different server
connections. Named server-side prepared statements cannot follow them there before PgBouncer 1.21
(`max_prepared_statements`); with DATABASE_PREPARED_STATEMENTS=0 none is created. Checked here: the
whole contract flow and a 50-way race for one slot through it with no error, and, as a control, that
this same PgBouncer does break the prepared hot path when the setting is left on.
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import exc as sa_exc

from clinic.db import first_row, make_engine, make_session_factory
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.scale.conftest import call, create_admin, future_day, local, login, make_clinic, race, register
from tests.support.async_world import process_env
from tests.support.processes import ProcfileProcesses
from tests.support.servers import PgBouncer

pytestmark = [pytest.mark.scale, pytest.mark.e2e]

DB_NAME = TEST_DATABASE_URL.rsplit("/", 1)[1]


def test_prepared_hot_path_breaks_under_transaction_pooling_unless_turned_off(clean_database):
    """The control: two clients sharing PgBouncer's one server connection. With prepared statements (the
    default) the second client's first hot statement collides with the first's (`_pg3_0` already exists on
    that server connection); with them off both run."""
    with PgBouncer(TEST_DATABASE_URL, pool_size=1) as bouncer:
        for prepared, expect_failure in ((True, True), (False, False)):
            engine = make_engine(bouncer.url(DB_NAME), prepared_statements=prepared, pool_size=2)
            sessions = make_session_factory(engine)
            first, second = sessions(), sessions()
            try:
                first.connection(), second.connection()  # two client connections to PgBouncer
                assert first_row(first, "SELECT 1 + %(x)s", {"x": 1}) == (2,)
                first.commit()
                if expect_failure:
                    with pytest.raises(sa_exc.DBAPIError, match="prepared statement"):
                        first_row(second, "SELECT 2 + %(x)s", {"x": 1})
                else:
                    assert first_row(second, "SELECT 2 + %(x)s", {"x": 1}) == (3,)
            finally:
                first.close()
                second.close()
                engine.dispose()


@pytest.fixture()
def stack(clean_database, fake, tmp_path):
    # 3 server connections for web (2 gunicorn workers x 2 held connections), worker (a pool) and scheduler.
    with PgBouncer(TEST_DATABASE_URL, pool_size=3) as bouncer:
        env = process_env(
            bouncer.url(DB_NAME),
            TEST_REDIS_URL,
            fake.url,
            SMTP_URL=fake.smtp_url,
            DATABASE_PREPARED_STATEMENTS="0",
            RATELIMIT_ENABLED="0",
            BCRYPT_ROUNDS="4",
            SCHEDULER_SWEEP_SECONDS="2",
        )
        with ProcfileProcesses(["web", "worker", "scheduler"], env, tmp_path) as system:
            system.env_for_cli = env
            system.bouncer = bouncer
            yield system
        bouncer_log = bouncer.log()
    for name in ("web", "worker", "scheduler"):
        log = system.log(name)
        assert "Traceback" not in log, f"{name}:\n{log[-3000:]}"
        assert not re.search(r'"level": ?"(ERROR|CRITICAL)"', log), f"{name}:\n{log[-3000:]}"
    assert "prepared statement" not in bouncer_log


def _feed_path(url: str) -> str:
    return "/api/" + url.split("/api/", 1)[1]


@pytest.mark.timeout(180)
def test_whole_contract_flow_and_a_50_way_race_through_pgbouncer(stack, fake):
    base = stack.base
    admin = login(base, create_admin(stack.env_for_cli))["access_token"]
    world = make_clinic(base, admin)
    doctor, service = world["doctor"], world["service"]
    doctor_token = login(base, world["doctor_email"])["access_token"]

    # Sign-up, session, browsing.
    email, reg = register(base)
    token = reg["access_token"]
    assert call(base, "GET", "/api/me", token)[1]["email"] == email
    status, pair, _ = call(base, "POST", "/api/auth/refresh", reg["refresh_token"])
    assert status == 200
    token = pair["access_token"]
    for path in ("/api/clinics", "/api/services", f"/api/doctors?clinic_id={world['clinic']['id']}"):
        status, listed, _ = call(base, "GET", path, token)
        assert status == 200 and len(listed) == 1, (path, listed)
    day = future_day(3)
    status, slots, _ = call(
        base, "GET", f"/api/doctors/{doctor['id']}/slots?service_id={service['id']}&from={day}&to={day}", token
    )
    assert status == 200 and slots["timezone"] == "Europe/Madrid" and len(slots["slots"]) == 24
    assert slots["slots"][0]["starts_at"] == local(day, 8)

    # Book, read, move, the invitation by email (worker through PgBouncer too).
    status, appt, _ = call(
        base,
        "POST",
        "/api/appointments",
        token,
        {"doctor_id": doctor["id"], "service_id": service["id"], "starts_at": local(day, 9), "reason": "Revisión"},
    )
    assert status == 201 and appt["status"] == "booked", appt
    assert (
        call(
            base,
            "POST",
            "/api/appointments",
            token,
            {"doctor_id": doctor["id"], "service_id": service["id"], "starts_at": local(day, 9)},
        )[0]
        == 409
    )
    status, mine, _ = call(base, "GET", "/api/appointments", token)
    assert status == 200 and [a["id"] for a in mine] == [appt["id"]]
    assert call(base, "GET", f"/api/appointments/{appt['id']}", doctor_token)[0] == 200
    status, ics, _ = call(base, "GET", f"/api/appointments/{appt['id']}/ics", token)
    assert status == 200 and "BEGIN:VCALENDAR" in ics
    status, moved, _ = call(base, "PATCH", f"/api/appointments/{appt['id']}", token, {"starts_at": local(day, 10)})
    assert status == 200 and moved["starts_at"] == local(day, 10), moved

    # Calendar feed (its WSGI fast path has its own connection) and medical record.
    status, feed, _ = call(base, "GET", "/api/me/calendar", token)
    assert status == 200
    deadline = time.monotonic() + 30
    while (got := call(base, "GET", _feed_path(feed["url"])))[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.3)  # the worker builds the document after the booking
    assert got[0] == 200 and "BEGIN:VCALENDAR" in got[1]
    patient_id = reg["user"]["id"]
    status, record, _ = call(
        base, "PATCH", f"/api/patients/{patient_id}/record", doctor_token, {"allergies": ["penicilina"]}
    )
    assert status == 200 and record["allergies"] == ["penicilina"], record
    status, entry, _ = call(
        base,
        "POST",
        f"/api/patients/{patient_id}/record/entries",
        doctor_token,
        {"text": "Control anual", "appointment_id": appt["id"]},
    )
    assert status == 201, entry
    status, record, _ = call(base, "GET", f"/api/patients/{patient_id}/record", token)
    assert status == 200 and [e["text"] for e in record["entries"]] == ["Control anual"]
    status, audit, _ = call(base, "GET", f"/api/patients/{patient_id}/record/audit", token)
    assert status == 200 and len(audit) >= 3

    # The move's invitation leaves before the time off below (one that a later cancellation overtakes is,
    # rightly, never sent: the appointment it announces no longer exists).
    assert len([m for m in fake.wait_for(email, 3, timeout=30) if m["path"] == "smtp"]) == 2
    # Time off over the moved appointment cancels it in the background; the patient is told.
    status, off, _ = call(
        base,
        "POST",
        f"/api/doctors/{doctor['id']}/time-off",
        admin,
        {"starts_at": local(day, 10), "ends_at": local(day, 11), "reason": "Congreso"},
    )
    assert status == 201 and off["affected_appointments"] == 1, off
    deadline = time.monotonic() + 30
    while call(base, "GET", f"/api/appointments/{appt['id']}", token)[1]["status"] != "cancelled":
        assert time.monotonic() < deadline, "the time-off cascade did not cancel the appointment"
        time.sleep(0.3)
    # booked, moved, cancelled: three invitations, each once (plus the sign-up's verification email).
    invitations = [m for m in fake.wait_for(email, 4, timeout=30) if m["path"] == "smtp"]
    assert len(invitations) == 3, [m["subject"] for m in fake.to(email)]
    assert len({m["key"] for m in invitations}) == 3

    # 50 patients race for one slot through PgBouncer: one booking, 49 conflicts, nothing else.
    racers = [register(base, f"racer{i}") for i in range(50)]
    slot = local(day, 15)

    def book(i: int):
        return call(
            base,
            "POST",
            "/api/appointments",
            racers[i][1]["access_token"],
            {"doctor_id": doctor["id"], "service_id": service["id"], "starts_at": slot},
        )[0]

    statuses = race(50, book)
    assert sorted(statuses) == [201] + [409] * 49, statuses
    winner = racers[statuses.index(201)][0]
    assert len([m for m in fake.wait_for(winner, 2, timeout=30) if m["path"] == "smtp"]) == 1
    status, booked, _ = call(base, "GET", f"/api/appointments?doctor_id={doctor['id']}&status=booked", admin)
    assert status == 200 and [a["starts_at"] for a in booked] == [slot]

    status, _, _ = call(base, "POST", "/api/auth/logout", token, {"refresh_token": pair["refresh_token"]})
    assert status == 204 and call(base, "GET", "/api/me", token)[0] == 401
    assert login(base, email)["user"]["email"] == email
