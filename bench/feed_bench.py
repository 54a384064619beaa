"""Benchmark: serving a stored 1,000-event calendar feed, against a Flask "hello" ceiling in the same run.

    .venv/bin/python bench/feed_bench.py [--seconds 5] [--connections 32] [--events 1000] [--rounds 2]

Creates its own database (clinic_bench_feed), seeds a doctor with N appointments, builds the feed once
(as the worker would), then runs gunicorn (gunicorn.conf.py, 2 workers) for the real app and for
bench/feed_hello_app.py on 127.0.0.1, and drives both with wrk. Also times the request in-process
(Flask test client) for the server time per request. Run it when the machine is quiet.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib import request as urlrequest
from zoneinfo import ZoneInfo

import psycopg
from alembic import command

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clinic.calendars import feeds  # noqa: E402
from clinic.db import make_engine, make_session_factory  # noqa: E402
from clinic.identity import service as accounts  # noqa: E402
from clinic.unit_of_work import UnitOfWork  # noqa: E402
from web.cli import alembic_config  # noqa: E402

BIN = Path(sys.executable).parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinic_bench_feed")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
SECRET = "bench-secret-" + "x" * 32
ENV = {
    "APP_ENV": "production",
    "DATABASE_URL": DB_URL,
    "REDIS_URL": REDIS_URL,
    "JWT_SECRET_KEY": SECRET,
    "FRONTEND_ORIGIN": "http://127.0.0.1",
    "RESEND_API_KEY": "re_bench",
    "EMAIL_FROM": "Clínica <citas@example.com>",
    "RATELIMIT_ENABLED": "0",
    "SENTRY_DSN": "",
}


def recreate_database() -> None:
    base, name = DB_URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    command.upgrade(alembic_config(DB_URL), "head")


def seed(events: int) -> tuple[str, float, int]:
    """A doctor with `events` appointments from 89 days ago on; returns (token, build seconds, bytes)."""
    sessions = make_session_factory(make_engine(DB_URL))
    madrid = ZoneInfo("Europe/Madrid")
    with UnitOfWork(sessions) as uow:
        s = uow.session
        doctor_user = accounts.create_user(
            s, email="doctor@bench.test", password="Bench-Pass-1", full_name="Dra. Bench", role="doctor"
        )
        patient_ids = [
            accounts.create_user(
                s, email=f"p{i}@bench.test", password="Bench-Pass-1", full_name=f"Paciente Número{i}", role="patient"
            ).id
            for i in range(20)
        ]
        s.flush()
        from sqlalchemy import text

        clinic_id = s.execute(
            text(
                "INSERT INTO clinics (name, timezone, address) VALUES "
                "('Clínica Bench', 'Europe/Madrid', 'Calle Mayor 1, Madrid') RETURNING id"
            )
        ).scalar()
        service_id = s.execute(
            text("INSERT INTO services (name, duration_minutes) VALUES ('Consulta', 30) RETURNING id")
        ).scalar()
        doctor_id = s.execute(
            text("INSERT INTO doctors (user_id, clinic_id, specialty) VALUES (:u, :c, 'general') RETURNING id"),
            {"u": doctor_user.id, "c": clinic_id},
        ).scalar()
        first_day = datetime.now(madrid).date() - timedelta(days=89)
        rows = []
        for n in range(events):
            day = first_day + timedelta(days=n // 4)
            start = datetime(day.year, day.month, day.day, 9 + 2 * (n % 4), tzinfo=madrid).astimezone(timezone.utc)
            rows.append(
                {
                    "d": doctor_id,
                    "p": patient_ids[n % len(patient_ids)],
                    "s": service_id,
                    "c": clinic_id,
                    "st": start,
                    "en": start + timedelta(minutes=30),
                }
            )
        s.execute(
            text(
                "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, "
                "blocked_until, reason) VALUES (:d, :p, :s, :c, :st, :en, :en, 'private reason')"
            ),
            rows,
        )
        token = feeds.feed_token(s, user_id=doctor_user.id, secret=SECRET)
    started = time.perf_counter()
    with UnitOfWork(sessions) as uow:
        s = uow.session
        feeds.rebuild(s, user_id=doctor_user.id, horizon_days=365)
    build = time.perf_counter() - started
    with UnitOfWork(sessions) as uow:
        s = uow.session
        served = feeds.serve(s, token=token)
        count = served.content.count(b"BEGIN:VEVENT")
        assert count == events, count
    return token, build, len(served.content)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, port: int, log: Path) -> subprocess.Popen:
    env = {
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PYTHONPATH": str(ROOT),
        **ENV,
    }
    out = open(log, "wb")
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", app],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urlrequest.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                pass
            return proc
        except urlrequest.HTTPError:
            return proc  # it answers (404 at /): up
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{app} did not start: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str] | None = None) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale, "errors": int(non2xx.group(1)) if non2xx else 0}


def _mean(runs: list[dict]) -> dict:
    return {key: statistics.mean(run[key] for run in runs) for key in runs[0]}


def in_process_ms(token: str, etag: str, n: int = 2000) -> dict[str, float]:
    """Server time per request, measured around the WSGI app itself (no network, no load generator)."""
    os.environ.update(ENV)
    from web import create_app

    client = create_app({"ACCESS_LOG": False}).test_client()
    path = f"/api/calendar/{token}.ics"
    cases = {
        "304 (If-None-Match)": {"If-None-Match": etag},
        "200 gzip": {"Accept-Encoding": "gzip"},
        "200 identity": {},
    }
    result = {}
    for name, headers in cases.items():
        for _ in range(50):
            client.get(path, headers=headers)
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            response.get_data()
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        result[name] = {"median": statistics.median(samples), "p99": samples[int(len(samples) * 0.99)]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    recreate_database()
    token, build_s, size = seed(args.events)
    print(f"feed: {args.events} events, {size / 1024:.0f} KiB, first build by the worker code {build_s * 1000:.0f} ms")

    logs = Path("/tmp") / f"feed-bench-{os.getpid()}"
    logs.mkdir(exist_ok=True)
    hello_port, app_port = free_port(), free_port()
    hello = start_gunicorn("bench.feed_hello_app:app", hello_port, logs / "hello.log")
    app = start_gunicorn("web:create_app()", app_port, logs / "app.log")
    try:
        feed_url = f"http://127.0.0.1:{app_port}/api/calendar/{token}.ics"
        with urlrequest.urlopen(feed_url) as response:
            etag, last_modified = response.headers["ETag"], response.headers["Last-Modified"]
            assert response.status == 200 and response.read().count(b"BEGIN:VEVENT") == args.events
        try:
            urlrequest.urlopen(urlrequest.Request(feed_url, headers={"If-None-Match": etag}))
            raise AssertionError("expected 304")
        except urlrequest.HTTPError as err:
            assert err.code == 304

        # Every round runs every case, so that a neighbour's burst hits them all alike; figures are means.
        cases = {
            "hello (ceiling)": (f"http://127.0.0.1:{hello_port}/hello", {}),
            "feed 304 (If-None-Match)": (feed_url, {"If-None-Match": etag}),
            "feed 304 (If-Modified-Since)": (feed_url, {"If-Modified-Since": last_modified}),
            "feed 200 gzip": (feed_url, {"Accept-Encoding": "gzip"}),
            "feed 200 identity": (feed_url, {}),
        }
        results: dict[str, list[dict]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, (url, headers) in cases.items():
                results[name].append(wrk(url, args.seconds, args.connections, headers))
        runs = {name: _mean(found) for name, found in results.items()}
    finally:
        stop(app)
        stop(hello)
    ceiling = runs["hello (ceiling)"]["rps"]
    print(
        f"\nwrk -t2 -c{args.connections} -d{args.seconds}s, gunicorn 2 workers (gunicorn.conf.py), 127.0.0.1 "
        f"(mean of {args.rounds} rounds, each running every case)"
    )
    print(f"{'case':30} {'req/s':>9} {'p99 ms':>8} {'% of hello':>11} {'errors':>7}")
    for name, run in runs.items():
        share = run["rps"] / ceiling * 100
        print(f"{name:30} {run['rps']:9.0f} {run['p99_ms']:8.2f} {share:10.0f}% {run['errors']:7d}")

    print("\nserver time per request, in-process (Flask test client, 2,000 requests each)")
    for name, figures in in_process_ms(token, etag).items():
        print(f"{name:28} median {figures['median']:.3f} ms   p99 {figures['p99']:.3f} ms")


if __name__ == "__main__":
    main()
