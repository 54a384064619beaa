"""Benchmark: POST /api/appointments over distinct free slots vs a Flask INSERT ... RETURNING ceiling.

    .venv/bin/python bench/booking_bench.py [--seconds 6] [--rounds 3] [--connections 32]

Builds its own database (clinic_bench_sched), seeds one doctor per round with round-the-clock hours, a
10-minute service and 2,000 patients, writes one distinct (patient, free slot) request per line, then
serves the ceiling (bench/ceiling_app.py) and the real app with gunicorn (2 workers as gunicorn.conf.py configures them,
RATELIMIT_ENABLED=0) on 127.0.0.1, both up at once, and drives them alternately with wrk (2 threads,
32 connections), so that bursts of other work on the machine hit both sides alike; figures are the
means of the rounds. Afterwards it checks in SQL that no two active appointments of a doctor overlap. Exits non-zero below 60 % of the ceiling's throughput, with a
p99 above 3x the ceiling's, or with any double booking.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from clinic.availability import engine  # noqa: E402

ZONE = "Europe/Madrid"
PATIENTS = 2000
SLOT_MINUTES = 10
TARGET_RATIO, P99_FACTOR = 0.60, 3.0


def seed(conn, doctor_count: int) -> tuple[list[int], int, list[int]]:
    conn.execute(
        "CREATE TABLE bench_ceiling (id bigserial PRIMARY KEY, payload text, "
        "created_at timestamptz NOT NULL DEFAULT now())"
    )
    clinic = conn.execute("INSERT INTO clinics (name, timezone) VALUES ('Bench', %s) RETURNING id", (ZONE,)).fetchone()[
        0
    ]
    service = conn.execute(
        "INSERT INTO services (name, duration_minutes) VALUES ('Bench', %s) RETURNING id", (SLOT_MINUTES,)
    ).fetchone()[0]
    doctors = []
    for i in range(doctor_count):
        user = conn.execute(
            "INSERT INTO users (email, password_hash, full_name, role) VALUES (%s, 'x', %s, 'doctor') RETURNING id",
            (f"bench-dr-{i}@example.com", f"Dr Bench {i}"),
        ).fetchone()[0]
        doctor = conn.execute(
            "INSERT INTO doctors (user_id, clinic_id, specialty) VALUES (%s, %s, 'Bench') RETURNING id", (user, clinic)
        ).fetchone()[0]
        conn.execute("INSERT INTO doctor_services VALUES (%s, %s)", (doctor, service))
        for weekday in range(7):
            conn.execute(
                "INSERT INTO working_hours (doctor_id, weekday, start_time, end_time) "
                "VALUES (%s, %s, '00:00', '23:50')",
                (doctor, weekday),
            )
        doctors.append(doctor)
    patients = [
        r[0]
        for r in conn.execute(
            "INSERT INTO users (email, password_hash, full_name, role) "
            "SELECT 'bench-p' || g || '@example.com', 'x', 'Paciente ' || g, 'patient' FROM generate_series(1, %s) g "
            "RETURNING id",
            (PATIENTS,),
        ).fetchall()
    ]
    return doctors, service, patients


def slot_starts(count: int) -> list[str]:
    """`count` consecutive grid slots from the day after tomorrow, as the engine computes them."""
    tz = ZoneInfo(ZONE)
    day, out = date.today() + timedelta(days=2), []
    hours = [(0, 23 * 3600 + 50 * 60)]
    while len(out) < count:
        for s, e in engine.local_day_bounds(tz, day, hours):
            out += [
                datetime.fromtimestamp(t, tz).isoformat()
                for t in range(s, e - SLOT_MINUTES * 60 + 1, SLOT_MINUTES * 60)
            ]
        day += timedelta(days=1)
    return out[:count]


def write_bodies(path: Path, doctor: int, service: int, patients: list[int], tokens: dict, starts: list[str]) -> None:
    with path.open("w") as f:
        for i, start in enumerate(starts):
            patient = patients[i % len(patients)]
            body = json.dumps({"doctor_id": doctor, "service_id": service, "starts_at": start}, separators=(",", ":"))
            f.write(f"{tokens[patient]}\t{body}\n")


def double_bookings(conn) -> int:
    return conn.execute("""SELECT count(*) FROM appointments a JOIN appointments b
        ON a.doctor_id = b.doctor_id AND a.id < b.id
       AND tstzrange(a.starts_at, a.blocked_until) && tstzrange(b.starts_at, b.blocked_until)
     WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'""").fetchone()[0]


def main() -> int:
    args = common.round_arguments()

    common.recreate_database()
    with psycopg.connect(common.BENCH_DB_URL, autocommit=True) as conn:
        doctors, service, patients = seed(conn, args.rounds + 1)
    tokens = common.access_tokens(patients)
    starts = slot_starts(365 * (24 * 60 // SLOT_MINUTES - 1) - 300)
    tmp = Path(tempfile.mkdtemp(prefix="bench-booking-"))
    script = str(Path(__file__).with_name("post_bodies.lua"))
    # One doctor per round (and one for the warm-up), each with a year of distinct free slots; the patient
    # rotation is shifted per doctor so that no patient is ever booked twice at the same time.
    files = []
    for k, doctor in enumerate(doctors):
        path = tmp / f"doctor-{k}.tsv"
        shift = k * (PATIENTS // (args.rounds + 1))
        write_bodies(
            path,
            doctor,
            service,
            patients[shift:] + patients[:shift],
            tokens,
            starts if k < args.rounds else starts[:5000],
        )
        files.append(str(path))

    def run(url: str, path: str, body_file: str, seconds: int) -> dict:
        return common.wrk(url + path, seconds=seconds, connections=args.connections, script=[script, body_file, "2"])

    ceilings, targets = [], []
    with (
        common.gunicorn("bench.ceiling_app:create_app()") as ceiling_url,
        common.gunicorn("web:create_app()", ACCESS_TOKEN_MINUTES="120") as app_url,
    ):
        run(ceiling_url, "/insert", files[-1], 2)
        run(app_url, "/api/appointments", files[-1], 2)
        for k in range(args.rounds):
            ceilings.append(run(ceiling_url, "/insert", files[k], args.seconds))
            targets.append(run(app_url, "/api/appointments", files[k], args.seconds))
        floor = common.signed_in_floor(app_url, tokens[patients[0]], args)
    with psycopg.connect(common.BENCH_DB_URL, autocommit=True) as conn:
        booked = conn.execute(
            "SELECT count(*) FROM appointments WHERE doctor_id = ANY(%s)", (doctors[: args.rounds],)
        ).fetchone()[0]
        doubles = double_bookings(conn)

    ceiling, target = common.mean_of(ceilings), common.mean_of(targets)
    ratio = common.report("booking: POST /api/appointments vs INSERT ... RETURNING", ceiling, target)
    print(f"  booked : {booked} appointments from {target['requests']} requests; double bookings: {doubles}")
    common.report_floor(floor, ceiling, target, "booking runs")
    if max(r["requests"] for r in targets) > len(starts):
        print("  WARNING: a request file was exhausted; later requests repeated slots")
    ok = ratio >= TARGET_RATIO and target["p99_ms"] <= P99_FACTOR * ceiling["p99_ms"] and doubles == 0
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
