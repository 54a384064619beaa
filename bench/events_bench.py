"""How many open live streams (GET /api/events) one web process holds while /api/health stays fast.

    .venv/bin/python bench/events_bench.py --steps 250,500,1000,2000     # ~1 minute, loopback only

Starts the real Procfile `web` process with WEB_CONCURRENCY=1 (one gunicorn worker, one request thread)
on a scratch database, signs an admin in, then for each step opens streams up to that many (raw sockets,
each checked for its 200 and the ": connected" comment), times 200 sequential /api/health requests
(median, p99) and publishes one event on the live channel, timing until every open stream has received
it. Stops at the first step whose p99 reaches 100 ms or whose streams fail to open.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib import request as urlrequest

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.live.events import channel  # noqa: E402
from tests.support.processes import ProcfileProcesses  # noqa: E402

DB = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinic_bench_events")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
PASSWORD = "Correct-Horse-9"


def _database() -> None:
    base, name = DB.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _open(port: int, token: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
    data = b""
    while b": connected" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError(f"stream refused: {data[:200]!r}")
        data += chunk
    if not data.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(data[:200])
    sock.setblocking(False)
    return sock


def _health(base: str, n: int = 200) -> tuple[float, float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        with urlrequest.urlopen(base + "/api/health", timeout=5) as response:
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(n * 0.99) - 1]


def _fanout(socks: list[socket.socket], marker: int) -> float:
    client = redis.Redis.from_url(REDIS)
    name = channel(int(client.connection_pool.connection_kwargs.get("db", 0)))
    for s in socks:  # drop what arrived before (heartbeats)
        try:
            while s.recv(65536):
                pass
        except BlockingIOError:
            pass
    selector = selectors.DefaultSelector()
    for s in socks:
        selector.register(s, selectors.EVENT_READ)
    waiting = set(socks)
    started = time.perf_counter()
    client.publish(
        name,
        json.dumps(
            {
                "id": marker,
                "doctor_id": 1,
                "clinic_id": 1,
                "patient_id": 1,
                "status": "booked",
                "starts_at": "2030-01-01T09:00:00+01:00",
            }
        ),
    )
    needle = f'"id":{marker},'.encode()
    while waiting and time.perf_counter() - started < 10:
        for key, _ in selector.select(timeout=1):
            try:
                if needle in key.fileobj.recv(65536):
                    waiting.discard(key.fileobj)
                    selector.unregister(key.fileobj)
            except BlockingIOError:
                pass
    selector.close()
    if waiting:
        raise RuntimeError(f"{len(waiting)} streams did not get the event")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="250,500,1000,2000")
    steps = [int(s) for s in parser.parse_args().steps.split(",")]
    _database()
    env = {
        "APP_ENV": "development",
        "DATABASE_URL": DB,
        "REDIS_URL": REDIS,
        "JWT_SECRET_KEY": "b" * 64,
        "FRONTEND_ORIGIN": "http://localhost:5173",
        "RESEND_API_KEY": "re_bench",
        "EMAIL_FROM": "c@example.com",
        "RATELIMIT_ENABLED": "0",
        "BCRYPT_ROUNDS": "4",
        "WEB_CONCURRENCY": "1",
        "WEB_MAX_STREAMS": str(max(steps) + 10),
    }
    subprocess_env = {**os.environ, **env}
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "web", "db", "upgrade"],
        cwd=ROOT,
        env=subprocess_env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "web",
            "create-user",
            "--email",
            email,
            "--password",
            PASSWORD,
            "--name",
            "Bench Admin",
            "--role",
            "admin",
        ],
        cwd=ROOT,
        env=subprocess_env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    socks: list[socket.socket] = []
    with ProcfileProcesses(["web"], env) as web:
        token = web.call("POST", "/api/auth/login", body={"email": email, "password": PASSWORD})[1]["access_token"]
        median, p99 = _health(web.base)
        print(f"{0:>5} streams: /api/health median {median:5.1f} ms, p99 {p99:5.1f} ms")
        try:
            for step in steps:
                started = time.perf_counter()
                while len(socks) < step:
                    socks.append(_open(web.port, token))
                opened = time.perf_counter() - started
                median, p99 = _health(web.base)
                fan = _fanout(socks, step)
                print(
                    f"{step:>5} streams (opened in {opened:4.1f} s): /api/health median {median:5.1f} ms, "
                    f"p99 {p99:5.1f} ms; one event reached all of them in {fan:6.1f} ms"
                )
                if p99 >= 100:
                    break
        finally:
            for s in socks:
                s.close()


if __name__ == "__main__":
    main()
