"""Benchmark: cost that stays flat as data grows (issue 19.2), each case as a ratio measured in the same run.

    .venv/bin/python bench/scale_bench.py slots   [--seconds 5] [--rounds 3] [--connections 32]
    .venv/bin/python bench/scale_bench.py booking [--seconds 5] [--rounds 3] [--rows 5000000] [--keep]
                                                  [--max-minutes 90]

- slots: a month of slots (the setup of bench/slots_bench.py's light doctor) for a doctor with 2,000
  appointments and for one with the same month and 200,000 appointments in all (198,000 more in the
  past), served by the same gunicorn app, alternating with wrk; target: the big one >= 90 % of the small
  one's requests/s. Database `clinic_bench_scale` (BENCH_SCALE_DATABASE_URL).
- booking: POST /api/appointments (bench/booking_bench.py's requests) against two databases seeded alike,
  one with no other appointment and one with `--rows` more (100 other doctors, half of them in the past year and half in the
  next, bulk-loaded by bench.common.bulk_load: one INSERT ... SELECT generate_series, indexes and constraints
  added back after it, VACUUM (ANALYZE)), one gunicorn app on each, alternating with wrk over the same
  requests; target: >= 90 %. Databases `clinic_bench_scale_empty` and `clinic_bench_scale_full`; with --keep
  the loaded one stays as `clinic_bench_scale_full_template` and later runs copy it. Bounded by --max-minutes.
  Afterwards: zero double bookings in both.

The reminder sweep over 10,000,000 appointments is `bench/sweep_bench.py --rows 10000000` (see bench/README.md).
Every database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

BASE = os.environ.get("BENCH_SCALE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinic_bench_scale")
TARGET = 0.90


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["slots", "booking"])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rows", type=int, default=5_000_000, help="booking: appointments already there")
    parser.add_argument("--past", type=int, default=198_000, help="slots: extra past appointments")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="booking: keep the loaded database (as a template) for the next run, which copies it",
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=90,
        help="booking: stop (and drop the databases) after this long, whatever the phase",
    )
    return parser.parse_args()


def use_database(url: str) -> None:
    """Point bench.common (its scratch database, the app it serves) at `url`."""
    common.BENCH_DB_URL = url


def drop(url: str) -> None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def slots(args) -> bool:
    from bench import slots_bench

    use_database(BASE)
    first = date.today() + timedelta(days=30)
    last = first + timedelta(days=30)
    common.recreate_database()
    started = time.perf_counter()
    with psycopg.connect(BASE, autocommit=True) as conn:
        small, _busy, service, patient = slots_bench.seed(conn, first)
        big = copy_doctor_with_past(conn, small, args.past)
        counts = dict(
            conn.execute(
                "SELECT doctor_id, count(*) FROM appointments WHERE doctor_id IN (%s, %s) GROUP BY doctor_id",
                (small, big),
            ).fetchall()
        )
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: doctor {small} has {counts[small]:,} appointments, "
        f"doctor {big} {counts[big]:,}"
    )
    token = common.access_tokens([patient])[patient]
    headers = {"Authorization": f"Bearer {token}"}
    paths = {who: f"/api/doctors/{who}/slots?service_id={service}&from={first}&to={last}" for who in (small, big)}
    runs = {small: [], big: [], "hello": []}
    with (
        common.gunicorn("bench.ceiling_app:create_app()") as ceiling_url,
        common.gunicorn("web:create_app()", ACCESS_TOKEN_MINUTES="120") as app_url,
    ):
        import json
        import urllib.request

        answers = {
            who: json.loads(urllib.request.urlopen(urllib.request.Request(app_url + p, headers=headers)).read())
            for who, p in paths.items()
        }
        assert answers[small]["slots"] == answers[big]["slots"], "the same month must give the same slots"
        for p in paths.values():
            common.wrk(app_url + p, seconds=2, connections=args.connections, headers=headers)
        for k in range(args.rounds):
            runs["hello"].append(common.wrk(ceiling_url + "/hello", seconds=args.seconds, connections=args.connections))
            order = (small, big) if k % 2 == 0 else (big, small)
            for who in order:
                runs[who].append(
                    common.wrk_cpu(
                        app_url,
                        paths[who],
                        db_url=BASE,
                        seconds=args.seconds,
                        connections=args.connections,
                        headers=headers,
                    )
                )
    drop(BASE)
    return report_pair("month of slots: 200,000 appointments vs 2,000", runs[small], runs[big], runs["hello"])


def copy_doctor_with_past(conn, doctor: int, past: int) -> int:
    from bench import slots_bench

    """A second doctor like `doctor` (hours, services, time off, the same appointments with their own
    patients) plus `past` more appointments before them, bulk-loaded."""
    user = conn.execute(
        "INSERT INTO users (email, password_hash, full_name, role) "
        "VALUES ('bench-scale-dr@example.com', 'x', 'Dr Scale', 'doctor') RETURNING id"
    ).fetchone()[0]
    new = conn.execute(
        "INSERT INTO doctors (user_id, clinic_id, specialty) SELECT %s, clinic_id, specialty "
        "FROM doctors WHERE id = %s RETURNING id",
        (user, doctor),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO doctor_services SELECT %s, service_id FROM doctor_services WHERE doctor_id = %s", (new, doctor)
    )
    conn.execute(
        "INSERT INTO working_hours (doctor_id, weekday, start_time, end_time) "
        "SELECT %s, weekday, start_time, end_time FROM working_hours WHERE doctor_id = %s",
        (new, doctor),
    )
    conn.execute(
        "INSERT INTO time_off (doctor_id, starts_at, ends_at) SELECT %s, starts_at, ends_at FROM time_off "
        "WHERE doctor_id = %s",
        (new, doctor),
    )
    conn.execute(
        "INSERT INTO users (email, password_hash, full_name, role) SELECT 'bench-scale-p' || g || "
        "'@example.com', 'x', 'Paciente ' || g, 'patient' FROM generate_series(1, 2000) g"
    )
    pool = conn.execute("SELECT min(id) FROM users WHERE email LIKE 'bench-scale-p%%'").fetchone()[0]
    conn.execute(
        """
        INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until)
        SELECT %(new)s, %(pool)s + (row_number() OVER (ORDER BY starts_at))::int %% 2000, service_id, clinic_id,
               starts_at, ends_at, blocked_until
        FROM appointments WHERE doctor_id = %(old)s""",
        {"new": new, "old": doctor, "pool": pool},
    )
    # The past: one every 20 minutes round the clock, back from the first one, completed.
    conn.execute(
        """
        INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until,
                                  status, scheduled_at)
        SELECT %(new)s, %(pool)s + g %% 2000, a.service_id, a.clinic_id, a.first - g * interval '20 min',
               a.first - g * interval '20 min' + interval '15 min', a.first - g * interval '20 min' + interval '20 min',
               'completed', a.first - g * interval '20 min' - interval '7 days'
        FROM (SELECT min(starts_at) AS first, min(service_id) AS service_id, min(clinic_id) AS clinic_id
              FROM appointments WHERE doctor_id = %(new)s) a, generate_series(1, %(past)s) g""",
        {"new": new, "pool": pool, "past": past},
    )
    slots_bench.fold_slot_changes(conn)
    conn.execute("VACUUM (ANALYZE)")
    return new


DOCTORS = 10  # seeded in both booking databases whatever --rounds, so a kept full database fits any run


def booking(args) -> bool:
    """The booking case, bounded by --max-minutes (then interrupted); its databases are dropped however it
    ends, the loaded one kept as a template for the next run with --keep."""
    empty, full, template = BASE + "_empty", BASE + "_full", BASE + "_full_template"

    def out_of_time(signum, frame):
        raise TimeoutError(f"--max-minutes {args.max_minutes} reached")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(int(args.max_minutes * 60))
    try:
        return booking_measured(args, empty, full, template)
    finally:
        signal.alarm(0)
        for url in (empty, full) if args.keep else (empty, full, template):
            drop(url)


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def comment_of(url: str) -> str | None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    return row[0] if row else None


def booking_measured(args, empty: str, full: str, template: str) -> bool:
    from bench import booking_bench

    assert args.rounds < DOCTORS, f"at most {DOCTORS - 1} rounds"
    use_database(empty)
    common.recreate_database()
    with psycopg.connect(empty, autocommit=True) as conn:
        doctors, service, patients = booking_bench.seed(conn, DOCTORS)
        conn.execute("VACUUM (ANALYZE)")  # analysed like the full one
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    # The full database is built once (seeded like the empty one, then the load) and, with --keep, kept as a
    # template that later runs copy (a file copy, seconds) instead of loading again.
    signature = f"rows={args.rows} doctors={DOCTORS} revision={revision}"
    kept = comment_of(template)
    base, names = full.rsplit("/", 1)[0], {url: url.rsplit("/", 1)[1] for url in (full, template)}
    if kept and kept.startswith(signature + ";"):
        print(f"full database: a copy of {names[template]} ({kept})", flush=True)
    else:
        drop(template)
        target = template if args.keep else full
        use_database(target)
        common.recreate_database()
        started = time.perf_counter()
        print(f"loading {args.rows:,} appointments (load average {load_average()})", flush=True)
        with psycopg.connect(target, autocommit=True) as conn:
            booking_bench.seed(conn, DOCTORS)
            timings = fill(conn, args.rows)
            versions = conn.execute("SELECT count(DISTINCT doctor_id), count(*) FROM doctor_slot_changes").fetchone()
        print(
            f"loaded {args.rows:,} appointments in {time.perf_counter() - started:.0f} s "
            f"(load average {load_average()}): "
            + ", ".join(
                f"{name} {value:.1f} s" if isinstance(value, float) else f"{name} {value}"
                for name, value in timings.items()
            )
        )
        print(f"  doctor_slot_changes: {versions[1]} rows for {versions[0]} doctors (the trigger's, one per doctor)")
        if args.keep:
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(
                    f'COMMENT ON DATABASE "{names[template]}" IS \'{signature}; loaded '
                    f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}'"
                )
    if args.keep or kept:
        started = time.perf_counter()
        drop(full)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{names[full]}" TEMPLATE "{names[template]}" STRATEGY FILE_COPY')
        print(f"copied {names[template]} to {names[full]} in {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(full, autocommit=True) as conn:
        existing = conn.execute("SELECT count(*) FROM appointments").fetchone()[0]
        same = [
            r[0]
            for r in conn.execute(
                "SELECT d.id FROM doctors d JOIN users u ON u.id = d.user_id "
                "WHERE u.email LIKE 'bench-dr-%%' ORDER BY d.id"
            )
        ] == doctors
    assert same and existing == args.rows // 100 * 100, "the full database is not the one this run seeds"
    doctors = doctors[: args.rounds + 1]
    use_database(empty)
    tokens = common.access_tokens(patients)
    starts = booking_bench.slot_starts(20_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    script = str(Path(__file__).with_name("post_bodies.lua"))
    # Per round, one doctor per database side (the same requests on both): round k books doctor k's slots
    # in the empty database first or second, alternately.
    files = []
    for k, doctor in enumerate(doctors):
        path = tmp / f"doctor-{k}.tsv"
        shift = k * (booking_bench.PATIENTS // (args.rounds + 1))
        booking_bench.write_bodies(
            path,
            doctor,
            service,
            patients[shift:] + patients[:shift],
            tokens,
            starts if k < args.rounds else starts[:3000],
        )
        files.append(str(path))

    def run(url: str, body_file: str, seconds: int) -> dict:
        return common.wrk(
            url + "/api/appointments", seconds=seconds, connections=args.connections, script=[script, body_file, "2"]
        )

    runs = {"empty": [], "full": []}
    use_database(empty)
    with common.gunicorn("web:create_app()", ACCESS_TOKEN_MINUTES="120") as empty_url:
        use_database(full)
        with common.gunicorn("web:create_app()", ACCESS_TOKEN_MINUTES="120") as full_url:
            urls = {"empty": empty_url, "full": full_url}
            dbs = {"empty": empty, "full": full}
            run(empty_url, files[-1], 2)
            run(full_url, files[-1], 2)
            for k in range(args.rounds):
                for side in ("empty", "full") if k % 2 == 0 else ("full", "empty"):
                    before = common.cpu_seconds(urls[side], dbs[side])
                    runs[side].append(run(urls[side], files[k], args.seconds))
                    runs[side][-1]["cpu_ms"] = (
                        (common.cpu_seconds(urls[side], dbs[side]) - before) * 1000 / max(runs[side][-1]["requests"], 1)
                    )
                    runs[side][-1]["load"] = load_average()
    doubles, booked = 0, {}
    for side, url in (("empty", empty), ("full", full)):
        with psycopg.connect(url, autocommit=True) as conn:
            doubles += conn.execute(
                """SELECT count(*) FROM appointments a JOIN appointments b
                ON a.doctor_id = b.doctor_id AND a.id < b.id
               AND tstzrange(a.starts_at, a.blocked_until) && tstzrange(b.starts_at, b.blocked_until)
             WHERE a.doctor_id = ANY(%s) AND a.status <> 'cancelled' AND b.status <> 'cancelled'""",
                (doctors,),
            ).fetchone()[0]
            booked[side] = conn.execute(
                "SELECT count(*) FROM appointments WHERE doctor_id = ANY(%s)", (doctors,)
            ).fetchone()[0]
    answered = {side: sum(r["requests"] - r["non_2xx"] for r in rs) for side, rs in runs.items()}
    print(
        f"double bookings: {doubles}; booked by the runs (warm-up included): empty {booked['empty']:,}, "
        f"full {booked['full']:,}; 2xx answers measured: empty {answered['empty']:,}, full {answered['full']:,}"
    )
    for side, rs in runs.items():
        print(
            f"  {side}: load average after each round "
            + ", ".join(r["load"] for r in rs)
            + "; socket errors "
            + (", ".join(r["socket_errors"] or "none" for r in rs))
        )
    return (
        report_pair(f"booking: {existing:,} appointments vs an empty table", runs["empty"], runs["full"], None)
        and doubles == 0
    )


def fill(conn, rows: int) -> dict:
    """`rows` appointments of 100 other doctors (10 minutes each, round the clock, a year back and a year
    ahead, their own 20,000 patients), bulk-loaded in one statement, then VACUUM (ANALYZE). Returns the
    seconds of each phase of the load."""
    clinic, service = (
        conn.execute("SELECT min(id) FROM clinics").fetchone()[0],
        conn.execute("SELECT min(id) FROM services").fetchone()[0],
    )
    conn.execute(
        "INSERT INTO users (email, password_hash, full_name, role) SELECT 'fill-d' || g || "
        "'@bench.example', 'x', 'Doctor ' || g, 'doctor' FROM generate_series(1, 100) g"
    )
    conn.execute(
        "INSERT INTO doctors (user_id, clinic_id, specialty) SELECT id, %s, 'Fill' FROM users "
        "WHERE email LIKE 'fill-d%%'",
        (clinic,),
    )
    conn.execute(
        "INSERT INTO users (email, password_hash, full_name, role) SELECT 'fill-p' || g || "
        "'@bench.example', 'x', 'Paciente ' || g, 'patient' FROM generate_series(1, 20000) g"
    )
    doctor0 = conn.execute("SELECT min(id) FROM doctors WHERE specialty = 'Fill'").fetchone()[0]
    patient0 = conn.execute("SELECT min(id) FROM users WHERE email LIKE 'fill-p%%'").fetchone()[0]
    per = rows // 100
    # Doctor j's k-th appointment: patient j*200 + k % 200 (each doctor its own patients, so no patient
    # overlaps); start k*10 min from a year back. Past ones completed (every tenth cancelled).
    # common.bulk_load: one transaction, indexes, exclusion constraints and foreign keys added back after the
    # INSERT (foreign keys validated then), the slot-change trigger firing once for the statement as it would
    # for any INSERT (one doctor_slot_changes row per doctor), then VACUUM (ANALYZE); reniced.
    timings = common.bulk_load(
        conn,
        "appointments",
        """
        INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until,
                                  status, scheduled_at)
        SELECT %(d0)s + j, %(p0)s + j * 200 + k %% 200, %(service)s, %(clinic)s, st, st + interval '10 min',
               st + interval '10 min',
               CASE WHEN st >= now() THEN 'booked' WHEN k %% 10 = 0 THEN 'cancelled' ELSE 'completed' END,
               st - interval '7 days'
        FROM generate_series(0, 99) j, generate_series(0, %(per)s - 1) k,
             LATERAL (SELECT date_trunc('hour', now()) - interval '365 days' + k * interval '10 min'
                             + (j %% 2) * interval '1 year' AS st) t""",
        {"d0": doctor0, "p0": patient0, "service": service, "clinic": clinic, "per": per},
    )
    return timings


def report_pair(name: str, small: list[dict], big: list[dict], hello: list[dict] | None) -> bool:
    a, b = common.mean_of(small), common.mean_of(big)
    print(name)
    for k, (x, y) in enumerate(zip(small, big, strict=True)):
        extra = f", hello {hello[k]['rps']:.0f}" if hello else ""
        print(
            f"  round {k + 1}: small {x['rps']:.0f} req/s, big {y['rps']:.0f} req/s = {y['rps'] / x['rps']:.1%}{extra}"
        )
    ratio = b["rps"] / a["rps"]
    print(
        f"  mean   : small {a['rps']:.0f} req/s (p99 {a['p99_ms']:.1f} ms), big {b['rps']:.0f} req/s "
        f"(p99 {b['p99_ms']:.1f} ms); ratio {ratio:.1%}; non-2xx {a['non_2xx'] + b['non_2xx']}"
    )
    if hello:
        h = common.mean_of(hello)
        print(f"  hello  : {h['rps']:.0f} req/s; small {a['rps'] / h['rps']:.1%}, big {b['rps'] / h['rps']:.1%} of it")
    if "cpu_ms" in small[0]:
        ca, cb = sum(r["cpu_ms"] for r in small), sum(r["cpu_ms"] for r in big)
        small_cpu = ", ".join(f"{r['cpu_ms']:.3f}" for r in small)
        big_cpu = ", ".join(f"{r['cpu_ms']:.3f}" for r in big)
        print(
            f"  cpu    : small {small_cpu} ms/request, big {big_cpu} (gunicorn + PostgreSQL backends); "
            f"small/big = {ca / cb:.1%}"
        )
    ok = ratio >= TARGET and a["non_2xx"] + b["non_2xx"] == 0
    print("  PASS" if ok else "  FAIL")
    return ok


def main() -> int:
    args = arguments()
    ok = slots(args) if args.case == "slots" else booking(args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
