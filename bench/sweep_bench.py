"""Sweep benchmark: select-and-enqueue of due reminders vs a plain count, and delivery rate vs the provider limit.

    .venv/bin/python -m bench.sweep_bench [--rows 1000000] [--due 50000] [--rate 5] [--requests 60]

1. A scratch database (created and dropped here) gets `--rows` appointments (generate_series), of which
   `--due` have their 24 h reminder due now. It times, in the same run, `SELECT count(*)` of the due rows
   (the reminder sweep's own predicate), then the real sweep (the outbox messages handing the due reminders
   to the workers, and the channel's mark) plus the relay handing those messages to Dramatiq on Redis; then a
   second sweep a minute later (nothing new: what every minute costs), and, rolled back, the workers' half
   (each message's delivery rows, made one message at a time as the workers do before sending).
2. Two real `dramatiq workers.main:boot` processes send the first `--requests` batch messages (100 emails each)
   to the fake Resend server, which enforces `--rate` requests/s with 429 + retry-after like the real API.
   Reported: requests/s achieved vs the limit, 429s seen, and deliveries left unsent (must be 0).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("BENCH_SWEEP_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinic_bench_sweep")
REDIS_URL = os.environ.get("BENCH_SWEEP_REDIS_URL", "redis://127.0.0.1:6379/12")

# The due rows: the same predicate as the reminder sweep's first run (clinic/notifications/store/reminders.py),
# counted instead of handed over. The run checks that both find the same number.
COUNT_SQL = """
SELECT count(*) FROM appointments a
JOIN services s ON s.id = a.service_id
CROSS JOIN LATERAL unnest(COALESCE(s.reminder_offsets_minutes, CAST(%(offsets)s AS int[]))) AS o(off)
WHERE a.status = 'booked'
  AND a.starts_at > %(now)s AND a.starts_at <= %(now)s + make_interval(mins => %(max_offset)s)
  AND a.starts_at - make_interval(mins => o.off) <= %(now)s
  AND a.starts_at - make_interval(mins => o.off) > a.scheduled_at
"""


def recreate(url: str, drop_only: bool = False) -> None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def populate(conn, rows: int, due: int, now: datetime) -> None:
    """`due` appointments start 2-24 h from now (their 24 h reminder is due, the 2 h one not yet); the rest
    are in the past (completed/cancelled) or more than a day ahead."""
    # The exclusion constraints only slow the bulk load and play no part in the sweep.
    conn.execute(
        "ALTER TABLE appointments DROP CONSTRAINT appointments_no_doctor_overlap, "
        "DROP CONSTRAINT appointments_no_patient_overlap"
    )
    conn.execute("INSERT INTO clinics (name, timezone) VALUES ('Bench', 'Europe/Madrid')")
    conn.execute("INSERT INTO services (name, duration_minutes) VALUES ('Consulta', 30)")
    conn.execute(
        "INSERT INTO users (email, password_hash, full_name, role) SELECT 'd' || g || '@bench.example', "
        "'x', 'Doctor ' || g, 'doctor' FROM generate_series(1, 100) g"
    )
    conn.execute("INSERT INTO doctors (user_id, clinic_id, specialty) SELECT id, 1, 'General' FROM users")
    conn.execute(
        "INSERT INTO users (email, password_hash, full_name, role) SELECT 'p' || g || '@bench.example', "
        "'x', 'Paciente ' || g, 'patient' FROM generate_series(1, 20000) g"
    )
    # Indexes built in bulk after the load (bench.common.bulk_load), and no per-row foreign-key checks or
    # slot-change triggers (rows consistent by construction): 10,000,000 rows load in minutes, not an hour.
    from bench.common import bulk_load

    conn.execute("SET session_replication_role = replica")
    bulk_load(
        conn,
        "appointments",
        """
        INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until,
                                  status, scheduled_at)
        SELECT 1 + g %% 100, 101 + g %% 20000, 1, 1, st, st + interval '30 min', st + interval '30 min',
               CASE WHEN g <= %(due)s THEN 'booked' WHEN st < %(now)s THEN
                    (CASE WHEN g %% 10 = 0 THEN 'cancelled' ELSE 'completed' END) ELSE 'booked' END,
               least(st, %(now)s) - interval '7 days'
        FROM generate_series(1, %(rows)s) g,
             LATERAL (SELECT CASE
                 WHEN g <= %(due)s THEN %(now)s + interval '2 hours 1 minute'
                                        + (g * interval '1264 minutes') / %(due)s
                 WHEN g %% 3 = 0 THEN %(now)s + interval '2 days' + g * interval '1 minute'
                 ELSE %(now)s - interval '1 day' - g * interval '1 minute' END AS st) t
    """,
        {"rows": rows, "due": due, "now": now},
    )
    conn.execute("RESET session_replication_role")
    conn.execute("ANALYZE")


def part_sweep(rows: int, due_count: int) -> dict:
    from alembic import command

    from clinic.db import make_engine, make_session_factory
    from clinic.notifications import reminders
    from clinic.outbox.relay import relay_all
    from tests.conftest import make_settings
    from web.cli import alembic_config

    recreate(DB_URL)
    command.upgrade(alembic_config(DB_URL), "head")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    started = time.perf_counter()
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        populate(conn, rows, due_count, now)
    load_s = time.perf_counter() - started
    settings = make_settings(DATABASE_URL=DB_URL, REDIS_URL=REDIS_URL)
    params = {"offsets": list(settings.reminder_offsets_minutes), "max_offset": 1440, "now": now}
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute(COUNT_SQL, params).fetchone()  # warm the cache for both
        t = time.perf_counter()
        counted = conn.execute(COUNT_SQL, params).fetchone()[0]
        count_s = time.perf_counter() - t
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + COUNT_SQL, params))

    os.environ.update({"APP_ENV": "bench", "DATABASE_URL": DB_URL, "REDIS_URL": REDIS_URL})
    from workers.main import boot

    boot()  # the broker on REDIS_URL and every actor
    from workers.dispatch import dispatch

    redis.Redis.from_url(REDIS_URL).flushdb()
    factory = make_session_factory(make_engine(DB_URL))
    t = time.perf_counter()
    with factory.begin() as session:
        found = reminders.reminders(session, now=now, settings=settings)
    sweep_s = time.perf_counter() - t
    t = time.perf_counter()
    relayed = relay_all(factory, dispatch)
    relay_s = time.perf_counter() - t
    queued = redis.Redis.from_url(REDIS_URL).hlen("dramatiq:default.msgs")
    t = time.perf_counter()
    with factory.begin() as session:
        again = reminders.reminders(session, now=now + timedelta(minutes=1), settings=settings)
    again_s = time.perf_counter() - t
    # The workers' half, timed and rolled back (part 2's workers make the rows for real).
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        messages = conn.execute(
            "SELECT topic, payload FROM outbox WHERE topic = 'reminders.due' ORDER BY id"
        ).fetchall()
    session = factory()
    try:
        t = time.perf_counter()
        made = sum(len(reminders.deliveries_of(session, topic=topic, payload=payload)) for topic, payload in messages)
        made_s = time.perf_counter() - t
    finally:
        session.rollback()
        session.close()
    return {
        "rows": rows,
        "due": found,
        "counted": counted,
        "load_s": load_s,
        "count_s": count_s,
        "sweep_s": sweep_s,
        "relay_s": relay_s,
        "messages": relayed,
        "queued": queued,
        "again": again,
        "again_s": again_s,
        "made": made,
        "made_s": made_s,
        "plan": plan,
    }


def part_rate(rate: float, requests: int) -> dict:
    """Keep the first `requests` of the sweep's messages queued, drop the rest, and let two worker processes
    make their deliveries and send them."""
    from tests.support.async_world import Worker, process_env
    from tests.support.fake_resend import FakeResend

    client = redis.Redis.from_url(REDIS_URL)
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        keep = conn.execute(
            "SELECT topic, payload FROM outbox WHERE topic = 'reminders.due' ORDER BY id LIMIT %s", (requests,)
        ).fetchall()
    emails = sum(payload["found"] for _, payload in keep)
    # Re-queue exactly `requests` of the sweep's messages (slices of 100 reminders), without their max_age.
    client.flushdb()
    os.environ["REDIS_URL"] = REDIS_URL
    from workers.email_actors import send_deliveries

    with FakeResend(limit_per_second=rate) as fake:
        env = process_env(
            DB_URL,
            REDIS_URL,
            fake.url,
            RESEND_REQUESTS_PER_SECOND=rate,
            DRAMATIQ_HEARTBEAT_TIMEOUT_MS=60000,
            DRAMATIQ_MAINTENANCE_CHANCE=1000,
        )
        logdir = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
        procs = [Worker(env, logdir / f"w{i}.log", threads=4) for i in range(2)]
        try:
            time.sleep(2.0)  # both workers up before the first message
            for topic, payload in keep:
                send_deliveries.send(topic, payload)
            deadline = time.time() + requests / rate * 2 + 30
            while time.time() < deadline and fake.count() < emails:
                time.sleep(0.2)
            with psycopg.connect(DB_URL) as conn:
                made, unsent = conn.execute(
                    "SELECT count(*), count(*) FILTER (WHERE status <> 'sent') FROM deliveries"
                ).fetchone()
            unsent += emails - made
            times = sorted(fake.request_times)
        finally:
            for p in procs:
                p.stop()
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    achieved = (len(times) - 1) / span if span else float("nan")
    return {
        "limit": rate,
        "requests": len(times),
        "emails": fake.count(),
        "rejected_429": fake.rejected,
        "achieved_rps": achieved,
        "ratio": achieved / rate,
        "unsent": unsent,
        "distinct_keys": fake.distinct_keys(),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    try:
        s = part_sweep(args.rows, args.due)
        print(f"rows={s['rows']:,} due={s['due']:,} (count said {s['counted']:,}); bulk load {s['load_s']:.1f} s")
        print(f"SELECT count(*) same predicate: {s['count_s'] * 1000:.0f} ms")
        print(
            f"sweep (outbox messages + mark): {s['sweep_s'] * 1000:.0f} ms = {s['sweep_s'] / s['count_s']:.1f}x the count; "
            f"relay to Dramatiq: {s['relay_s'] * 1000:.0f} ms for {s['messages']} messages ({s['queued']} queued)"
        )
        print(f"the next minute's sweep: {s['again']} new in {s['again_s'] * 1000:.0f} ms")
        print(
            f"the workers' half (rolled back): {s['made']:,} delivery rows made by {s['messages']} messages, "
            f"one at a time, in {s['made_s'] * 1000:.0f} ms"
        )
        total = s["sweep_s"] + s["relay_s"]
        print(f"select-and-enqueue {total * 1000:.0f} ms = {total / s['count_s']:.1f}x the count")
        print("plan of the count:\n" + s["plan"])
        r = part_rate(args.rate, args.requests)
        print(
            f"delivery: {r['requests']} batch requests ({r['emails']:,} emails) at {r['achieved_rps']:.2f} req/s "
            f"vs limit {r['limit']:.2f} = {r['ratio'] * 100:.1f} %; 429s seen {r['rejected_429']} "
            f"(all retried: {r['unsent']} deliveries left unsent); distinct keys {r['distinct_keys']}"
        )
    finally:
        if not args.keep:
            recreate(DB_URL, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
