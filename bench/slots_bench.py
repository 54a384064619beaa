"""Benchmark: a month of free slots (31 days, a light and a busy doctor, 2,000 appointments each) vs a Flask "hello".

    .venv/bin/python bench/slots_bench.py [--seconds 6] [--rounds 3] [--connections 32]

Builds its own database (clinic_bench_sched). The doctor works Monday to Saturday 08:00-20:00 in
Europe/Madrid and offers a 15-minute service with 5 minutes of buffer; 2,000 booked appointments are
9 a day from 120 days before the month asked for (about 240 of them inside it), plus a week of
time off. The busy doctor works every day 06:00-22:00 with 70 % of the month's 20-minute places booked
(~990 appointments inside the month, ~400 free slots). Then a VACUUM (ANALYZE), as autovacuum would have run over rows that old. Serves
bench/ceiling_app.py ("hello") and the real app with gunicorn (2 workers as in gunicorn.conf.py, RATELIMIT_ENABLED=0)
on 127.0.0.1, both up at once, and drives them alternately with wrk (2 threads, 32 connections; the
app with a patient's token; each round runs hello, the light doctor, the busy doctor); figures are the
means of the rounds. Exits non-zero if either case is below 25 % of the ceiling's throughput.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

ZONE = "Europe/Madrid"
APPOINTMENTS = 2000
BUSY_APPOINTMENTS = 2000
TARGET_RATIO = 0.25


def seed(conn, first: date) -> tuple[int, int, int]:
    tz = ZoneInfo(ZONE)
    clinic = conn.execute("INSERT INTO clinics (name, timezone) VALUES ('Bench', %s) RETURNING id", (ZONE,)).fetchone()[
        0
    ]
    service = conn.execute(
        "INSERT INTO services (name, duration_minutes, buffer_minutes) VALUES ('Bench', 15, 5) RETURNING id"
    ).fetchone()[0]
    user = conn.execute(
        "INSERT INTO users (email, password_hash, full_name, role) "
        "VALUES ('bench-slots-dr@example.com', 'x', 'Dr Slots', 'doctor') RETURNING id"
    ).fetchone()[0]
    doctor = conn.execute(
        "INSERT INTO doctors (user_id, clinic_id, specialty) VALUES (%s, %s, 'Bench') RETURNING id", (user, clinic)
    ).fetchone()[0]
    conn.execute("INSERT INTO doctor_services VALUES (%s, %s)", (doctor, service))
    for weekday in range(6):
        conn.execute(
            "INSERT INTO working_hours (doctor_id, weekday, start_time, end_time) VALUES (%s, %s, '08:00', '20:00')",
            (doctor, weekday),
        )
    patients = [
        r[0]
        for r in conn.execute(
            "INSERT INTO users (email, password_hash, full_name, role) SELECT 'bench-sp' || g || '@example.com', 'x', "
            "'Paciente ' || g, 'patient' FROM generate_series(1, %s) g RETURNING id",
            (APPOINTMENTS,),
        ).fetchall()
    ]
    # 2,000 appointments, 9 a working day on a 20-minute grid (15 + 5 buffer), from 120 days before the month on.
    rows, day, i = [], first - timedelta(days=120), 0
    while len(rows) < APPOINTMENTS:
        if day.weekday() < 6:
            for k in range(day.toordinal() % 4, 36, 4):
                start = datetime.combine(day, time(8), tzinfo=tz) + timedelta(minutes=20 * k)
                rows.append(
                    (
                        doctor,
                        patients[i % len(patients)],
                        service,
                        clinic,
                        start,
                        start + timedelta(minutes=15),
                        start + timedelta(minutes=20),
                    )
                )
                i += 1
                if len(rows) == APPOINTMENTS:
                    break
        day += timedelta(days=1)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, "
            "blocked_until) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    off = datetime.combine(first + timedelta(days=10), time(0), tzinfo=tz)
    conn.execute(
        "INSERT INTO time_off (doctor_id, starts_at, ends_at) VALUES (%s, %s, %s)",
        (doctor, off, off + timedelta(days=3)),
    )
    # What autovacuum does to rows a few days old: statistics, and the visibility map that lets the
    # busy intervals come from the index alone.
    busy = seed_busy(conn, first, clinic, service, patients)
    fold_slot_changes(conn)
    conn.execute("VACUUM (ANALYZE)")
    return doctor, busy, service, patients[-1]


def fold_slot_changes(conn) -> None:
    """What the scheduler's `slot_changes` sweep does every minute: each doctor's slots version (migration
    0017) in one row again, instead of one per seeding statement. (Absent before 0017: nothing to do.)"""
    if conn.execute("SELECT to_regclass('doctor_slot_changes')").fetchone()[0]:
        from clinic.availability.store_versions import FOLD

        conn.execute(FOLD)


def seed_busy(conn, first: date, clinic: int, service: int, patients: list[int]) -> int:
    """A busy doctor: every day 06:00-22:00, 70 % of the month's 20-minute places booked (~1,000 appointments
    inside the 31 days asked for, a few hundred free 15-minute slots left), BUSY_APPOINTMENTS in all (the rest
    in the weeks before), and the same 3-day time off."""
    tz = ZoneInfo(ZONE)
    user = conn.execute(
        "INSERT INTO users (email, password_hash, full_name, role) "
        "VALUES ('bench-slots-busy@example.com', 'x', 'Dr Busy', 'doctor') RETURNING id"
    ).fetchone()[0]
    doctor = conn.execute(
        "INSERT INTO doctors (user_id, clinic_id, specialty) VALUES (%s, %s, 'Bench') RETURNING id", (user, clinic)
    ).fetchone()[0]
    conn.execute("INSERT INTO doctor_services VALUES (%s, %s)", (doctor, service))
    for weekday in range(7):
        conn.execute(
            "INSERT INTO working_hours (doctor_id, weekday, start_time, end_time) VALUES (%s, %s, '06:00', '22:00')",
            (doctor, weekday),
        )
    patients = [
        r[0]
        for r in conn.execute(
            "INSERT INTO users (email, password_hash, full_name, role) SELECT 'bench-sb' || g || '@example.com', 'x', "
            "'Paciente ' || g, 'patient' FROM generate_series(1, %s) g RETURNING id",
            (BUSY_APPOINTMENTS,),
        ).fetchall()
    ]
    off = first + timedelta(days=10)
    rows, i = [], 0
    # Inside the month: 7 of every 10 places (a fixed pattern shifted by the date), off days left free.
    for n in range(31):
        day = first + timedelta(days=n)
        if off <= day < off + timedelta(days=3):
            continue
        for k in range(48):
            if (k + day.toordinal()) % 10 < 7:
                start = datetime.combine(day, time(6), tzinfo=tz) + timedelta(minutes=20 * k)
                rows.append(
                    (
                        doctor,
                        patients[i % len(patients)],
                        service,
                        clinic,
                        start,
                        start + timedelta(minutes=15),
                        start + timedelta(minutes=20),
                    )
                )
                i += 1
    day = first - timedelta(days=1)
    while len(rows) < BUSY_APPOINTMENTS:  # the rest before the month, 30 a day
        for k in range(0, 48, 48 // 30 + 1):
            start = datetime.combine(day, time(6), tzinfo=tz) + timedelta(minutes=20 * k)
            rows.append(
                (
                    doctor,
                    patients[i % len(patients)],
                    service,
                    clinic,
                    start,
                    start + timedelta(minutes=15),
                    start + timedelta(minutes=20),
                )
            )
            i += 1
        day -= timedelta(days=1)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, "
            "blocked_until) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            rows[:BUSY_APPOINTMENTS],
        )
    offstart = datetime.combine(off, time(0), tzinfo=tz)
    conn.execute(
        "INSERT INTO time_off (doctor_id, starts_at, ends_at) VALUES (%s, %s, %s)",
        (doctor, offstart, offstart + timedelta(days=3)),
    )
    return doctor


def main() -> int:
    args = common.round_arguments()

    first = date.today() + timedelta(days=30)
    last = first + timedelta(days=30)
    common.recreate_database()
    with psycopg.connect(common.BENCH_DB_URL, autocommit=True) as conn:
        doctor, busy, service, patient = seed(conn, first)
        inside = conn.execute(
            "SELECT count(*) FROM appointments WHERE doctor_id = %s AND starts_at >= %s AND starts_at < %s",
            (busy, first, last + timedelta(days=1)),
        ).fetchone()[0]
    token = common.access_tokens([patient])[patient]
    paths = {
        name: f"/api/doctors/{who}/slots?service_id={service}&from={first}&to={last}"
        for name, who in (("light", doctor), ("busy", busy))
    }
    headers = {"Authorization": f"Bearer {token}"}

    ceilings, targets = [], {"light": [], "busy": []}
    with (
        common.gunicorn("bench.ceiling_app:create_app()") as ceiling_url,
        common.gunicorn("web:create_app()", ACCESS_TOKEN_MINUTES="120") as app_url,
    ):
        probes = {
            name: json.loads(urllib.request.urlopen(urllib.request.Request(app_url + path, headers=headers)).read())
            for name, path in paths.items()
        }
        common.wrk(ceiling_url + "/hello", seconds=2, connections=args.connections)
        for path in paths.values():
            common.wrk(app_url + path, seconds=2, connections=args.connections, headers=headers)
        for _ in range(args.rounds):
            ceilings.append(common.wrk_cpu(ceiling_url, "/hello", seconds=args.seconds, connections=args.connections))
            for name, path in paths.items():
                targets[name].append(
                    common.wrk_cpu(
                        app_url,
                        path,
                        db_url=common.BENCH_DB_URL,
                        seconds=args.seconds,
                        connections=args.connections,
                        headers=headers,
                    )
                )
        floor = common.signed_in_floor(app_url, token, args)
    ceiling = common.mean_of(ceilings)
    ok = True
    for name, what in (
        ("light", f"{APPOINTMENTS} appointments, ~240 inside the month"),
        ("busy", f"{BUSY_APPOINTMENTS} appointments, {inside} inside the month"),
    ):
        target = common.mean_of(targets[name])
        ratio = common.report(
            f"slots, {name} doctor: GET /api/doctors/{{id}}/slots (31 days) vs Flask hello", ceiling, target
        )
        print(f"  answer : {len(probes[name]['slots'])} slots over 31 days; {what}")
        cpu_hello = [r["cpu_ms"] for r in ceilings]
        cpu = [r["cpu_ms"] for r in targets[name]]
        print(
            f"  cpu    : hello {', '.join(f'{x:.3f}' for x in cpu_hello)} ms/request; {name} (gunicorn + its "
            f"PostgreSQL backends) {', '.join(f'{x:.3f}' for x in cpu)} ms/request; hello/{name} = "
            f"{sum(cpu_hello) / sum(cpu):.1%}"
        )
        common.report_floor(floor, ceiling, target, "slots run")
        ok = ok and ratio >= TARGET_RATIO and target["non_2xx"] == 0
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
