"""Several machines: two web instances and two workers behind a real HAProxy (round robin), all on one
PostgreSQL through one PgBouncer (transaction pooling), one Redis.

- A booking storm spread over both instances: no double booking, each booking's invitation sent exactly
  once although two workers (and their relay threads, and the scheduler's) compete for the outbox.
- What a process keeps for itself (verified tokens, slot grids, the booking's guess of a doctor's hours, any
  slot cache) stays correct: hours changed through instance A are what instance B offers and accepts at
  once, and a sign-out through A ends the token at B.
Everything is checked through HTTP and the mailboxes, whatever each process caches inside.
"""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.scale.conftest import (
    call,
    create_admin,
    future_day,
    local,
    login,
    mail_by_recipient,
    make_clinic,
    race,
    register,
    wait_mail,
)
from tests.support.async_world import process_env
from tests.support.database import empty_tables
from tests.support.fake_mail import FakeMail
from tests.support.processes import ProcfileProcesses
from tests.support.servers import HAProxy, PgBouncer, port_in_range

pytestmark = [pytest.mark.scale, pytest.mark.e2e]

DB_NAME = TEST_DATABASE_URL.rsplit("/", 1)[1]


class Cluster:
    def __init__(self, webs, workers, balancer, env):
        self.webs, self.workers, self.balancer, self.env = webs, workers, balancer, env

    @property
    def base(self) -> str:
        return self.balancer.base


@pytest.fixture(scope="module")
def fake(engine, redis_client):
    """One mailbox and one clean database for the module's cluster (its tests use clinics of their own)."""
    empty_tables(TEST_DATABASE_URL)
    redis_client.flushdb()
    with FakeMail() as server:
        yield server
    empty_tables(TEST_DATABASE_URL)
    redis_client.flushdb()


@pytest.fixture(scope="module")
def cluster(fake, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("cluster")
    with PgBouncer(TEST_DATABASE_URL, pool_size=4) as bouncer:
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
        started: list[ProcfileProcesses] = []
        try:
            for name, kind in (
                ("web0", "web"),
                ("web1", "web"),
                ("worker0", "worker"),
                ("worker1", "worker"),
                ("scheduler", "scheduler"),
            ):
                (tmp_path / name).mkdir()
                started.append(
                    ProcfileProcesses([kind], env, tmp_path / name, port=port_in_range() if kind == "web" else None)
                )
                started[-1].__enter__()
            with HAProxy([s.port for s in started[:2]]) as balancer:
                yield Cluster(started[:2], started[2:4], balancer, env)
        finally:
            for system in started:
                system.stop()
    for system in started:
        for name in system.names:
            log = system.log(name)
            assert "Traceback" not in log, f"{name}:\n{log[-3000:]}"
            assert '"level": "ERROR"' not in log, f"{name}:\n{log[-3000:]}"


@pytest.mark.timeout(180)
def test_a_booking_storm_over_two_instances_books_each_slot_once_and_mails_each_booking_once(cluster, fake):
    base = cluster.base
    admin = login(base, create_admin(cluster.env))["access_token"]
    world = make_clinic(base, admin)
    doctor, service = world["doctor"], world["service"]
    day = future_day(4)
    slots = [local(day, 8 + i // 2, 30 * (i % 2)) for i in range(20)]  # 08:00 ... 17:30
    patients = [register(base, f"storm{i}") for i in range(60)]  # 3 patients for each slot

    def book(i: int):
        status, body, headers = call(
            base,
            "POST",
            "/api/appointments",
            patients[i][1]["access_token"],
            {"doctor_id": doctor["id"], "service_id": service["id"], "starts_at": slots[i % len(slots)]},
        )
        return status, headers.get("x-served-by"), body.get("id") if status == 201 else None

    results = race(len(patients), book)
    statuses = Counter(r[0] for r in results)
    assert statuses == {201: 20, 409: 40}, results
    served = Counter(r[1] for r in results)
    assert set(served) == {"web0", "web1"} and min(served.values()) >= 20, served  # round robin: both served

    with psycopg.connect(TEST_DATABASE_URL) as conn:
        overlapping = conn.execute("""
            SELECT count(*) FROM appointments a JOIN appointments b ON a.id < b.id AND a.doctor_id = b.doctor_id
            WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
              AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)""").fetchone()[0]
        booked = conn.execute(
            "SELECT count(*) FROM appointments WHERE status = 'booked' AND doctor_id = %s", (doctor["id"],)
        ).fetchone()[0]
    assert (overlapping, booked) == (0, 20)

    winners = {patients[i][0] for i, r in enumerate(results) if r[0] == 201}
    assert wait_mail(fake, 20 + len(patients), timeout=60) >= 20 + len(patients)  # 20 invitations + sign-ups
    mail = mail_by_recipient(fake)
    for email, _ in patients:
        # every patient: one verification email (HTTP API); each winner: one invitation (SMTP), never two
        assert mail[email] == ({"api": 1, "smtp": 1} if email in winners else {"api": 1}), (email, mail[email])
    invitations = [m for m in fake.emails if m["path"] == "smtp" and m["to"][0] in winners]
    assert len(invitations) == 20 and len({m["key"] for m in invitations}) == 20
    assert {m["key"].split(":")[1] for m in invitations} == {str(r[2]) for r in results if r[0] == 201}


def _slot_starts(base: str, token: str, doctor_id: int, service_id: int, day) -> list[str]:
    status, body, _ = call(
        base, "GET", f"/api/doctors/{doctor_id}/slots?service_id={service_id}&from={day}&to={day}", token
    )
    assert status == 200, body
    return [s["starts_at"] for s in body["slots"]]


@pytest.mark.timeout(120)
def test_hours_changed_through_one_instance_are_what_the_other_offers_and_books(cluster):
    a, b = cluster.webs[0].base, cluster.webs[1].base
    admin = login(a, create_admin(cluster.env))["access_token"]
    world = make_clinic(a, admin, hours=("08:00", "12:00"))
    doctor, service = world["doctor"]["id"], world["service"]["id"]
    day = future_day(5)
    first, second = register(a, "first"), register(a, "second")
    morning = [local(day, 8 + i // 2, 30 * (i % 2)) for i in range(8)]

    # Instance B learns everything about the morning hours: slots (twice), a booking, a token.
    assert _slot_starts(b, first[1]["access_token"], doctor, service, day) == morning
    assert _slot_starts(b, second[1]["access_token"], doctor, service, day) == morning
    status, booked, _ = call(
        b,
        "POST",
        "/api/appointments",
        first[1]["access_token"],
        {"doctor_id": doctor, "service_id": service, "starts_at": local(day, 9)},
    )
    assert status == 201, booked
    assert local(day, 9) not in _slot_starts(b, second[1]["access_token"], doctor, service, day)

    # The hours change through instance A only.
    status, stored, _ = call(
        a,
        "PUT",
        f"/api/doctors/{doctor}/working-hours",
        admin,
        [{"weekday": d, "start": "14:00", "end": "18:00"} for d in range(7)],
    )
    assert status == 200, stored
    afternoon = [local(day, 14 + i // 2, 30 * (i % 2)) for i in range(8)]
    for base in (b, a):
        assert _slot_starts(base, second[1]["access_token"], doctor, service, day) == afternoon
    status, refused, _ = call(
        b,
        "POST",
        "/api/appointments",
        second[1]["access_token"],
        {"doctor_id": doctor, "service_id": service, "starts_at": local(day, 10)},
    )
    assert status == 409 and refused["error"]["code"] == "outside_working_hours", refused
    status, booked, _ = call(
        b,
        "POST",
        "/api/appointments",
        second[1]["access_token"],
        {"doctor_id": doctor, "service_id": service, "starts_at": local(day, 15)},
    )
    assert status == 201, booked
    assert _slot_starts(a, first[1]["access_token"], doctor, service, day) == [
        t for t in afternoon if t != local(day, 15)
    ]

    # A token B has verified (and cached) stops working at B once it is signed out through A.
    token = first[1]["access_token"]
    assert call(b, "GET", "/api/me", token)[0] == 200
    status, _, _ = call(a, "POST", "/api/auth/logout", token, {"refresh_token": first[1]["refresh_token"]})
    assert status == 204
    assert call(b, "GET", "/api/me", token)[0] == 401
    assert (
        call(
            b,
            "POST",
            "/api/appointments",
            token,
            {"doctor_id": doctor, "service_id": service, "starts_at": local(day, 16)},
        )[0]
        == 401
    )
