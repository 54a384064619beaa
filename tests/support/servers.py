"""Real infrastructure processes for the scale tests, each started by the test and stopped after it:
PgBouncer (transaction pooling), HAProxy (round robin over several web instances), a private PostgreSQL
cluster (initdb into a temporary directory) and a private redis-server, all on loopback.

Ports come from SCALE_PORTS (`9250-9349` by default: a range of its own, so parallel runs of other test sets
on the same machine do not collide); each server binds one that is free. PostgreSQL and PgBouncer refuse to
run as root: under root they run as the `postgres` system user (`runuser`), which owns their directory.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from glob import glob
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

PORTS = os.environ.get("SCALE_PORTS", "9250-9349")


def port_in_range() -> int:
    """A loopback port of SCALE_PORTS that nothing listens on (random order: parallel runs rarely race)."""
    low, high = (int(x) for x in PORTS.split("-"))
    candidates = list(range(low, high + 1))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def wait_port(port: int, timeout: float = 15, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _as_service_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _service_dir(prefix: str) -> Path:
    # Under root, in /tmp: the `postgres` user must reach it, which a root-only TMPDIR would not let it.
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp" if os.geteuid() == 0 else None))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _sbin(name: str) -> str:
    """Debian puts the servers in /usr/sbin, which an ordinary user's PATH may lack."""
    return shutil.which(name) or f"/usr/sbin/{name}"


def pgbouncer_version() -> tuple[int, ...]:
    out = subprocess.run([_sbin("pgbouncer"), "--version"], capture_output=True, text=True, check=True).stdout
    return tuple(int(x) for x in out.split()[1].split("."))


class PgBouncer:
    """PgBouncer in transaction pooling mode in front of the PostgreSQL server of `upstream_url`.

    `url(database)` is the URL clients use instead of the server's. Every client database name maps to the
    same name on the server (`* = host= port=`); `pool_size` server connections per database."""

    def __init__(
        self, upstream_url: str, *, pool_size: int = 10, max_client_conn: int = 400, max_prepared_statements: int = 0
    ):
        up = urlsplit(upstream_url)
        self.user = up.username or "postgres"
        self.port = port_in_range()
        self.dir = _service_dir("clinic-pgbouncer-")
        password = f" password={up.password}" if up.password else ""
        extra = f"max_prepared_statements = {max_prepared_statements}\n" if max_prepared_statements else ""
        (self.dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={up.hostname or '127.0.0.1'} port={up.port or 5432} user={self.user}{password}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.dir}/users.txt\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = {max_client_conn}\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.dir}/pgbouncer.log\npidfile = {self.dir}/pgbouncer.pid\n" + extra
        )
        (self.dir / "users.txt").write_text(f'"{self.user}" ""\n')
        if os.geteuid() == 0:
            for name in ("pgbouncer.ini", "users.txt"):
                shutil.chown(self.dir / name, "postgres")
        self.proc = subprocess.Popen(
            _as_service_user([_sbin("pgbouncer"), str(self.dir / "pgbouncer.ini")]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_port(self.port, proc=self.proc)
        except BaseException:
            self.stop()
            raise

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def log(self) -> str:
        path = self.dir / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        _stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "PgBouncer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class HAProxy:
    """HAProxy in HTTP mode, round robin over `backends` (ports on 127.0.0.1), adding `X-Served-By`
    (the backend's name, `web0`, `web1`, ...) to every answer so a test sees where each request went."""

    def __init__(self, backends: list[int]):
        self.port = port_in_range()
        self.dir = Path(tempfile.mkdtemp(prefix="clinic-haproxy-"))
        servers = "".join(f"    server web{i} 127.0.0.1:{p} check inter 500ms\n" for i, p in enumerate(backends))
        (self.dir / "haproxy.cfg").write_text(
            "global\n    maxconn 512\n"
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n"
            f"frontend web\n    bind 127.0.0.1:{self.port}\n    default_backend app\n"
            "backend app\n    balance roundrobin\n    http-response set-header X-Served-By %s\n" + servers
        )
        self.proc = subprocess.Popen(
            [_sbin("haproxy"), "-db", "-f", str(self.dir / "haproxy.cfg")],
            stdout=open(self.dir / "haproxy.log", "wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_port(self.port, proc=self.proc)
        except BaseException:
            self.stop()
            raise
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        _stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "HAProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _pg_bin(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError(f"no {name} under /usr/lib/postgresql/*/bin")
    return found[-1]


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, trust auth on loopback),
    which a test may stop and start without touching the machine's shared server."""

    def __init__(self):
        self.port = port_in_range()
        self.dir = _service_dir("clinic-pg-")
        self.data = self.dir / "data"
        subprocess.run(
            _as_service_user(
                [_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]
            ),
            check=True,
            capture_output=True,
        )
        self.start()

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            _as_service_user(
                [_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "pg.log"), "-w", "-t", "30", *args]
            ),
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def start(self) -> None:
        opts = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._ctl("-o", opts, "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A redis-server of the test's own on a loopback port, restartable. With `data_dir` it keeps an
    append-only file fsynced on every write (as a broker whose queue must outlive a restart is run); without
    one, nothing is kept."""

    def __init__(self, data_dir: Path | None = None):
        self.port = port_in_range()
        self.data_dir = data_dir
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        keep = (
            ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.data_dir)]
            if self.data_dir
            else ["--appendonly", "no"]
        )
        if self.data_dir:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                *keep,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_port(self.port, proc=self.proc)

    def stop(self) -> None:
        _stop(self.proc)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"
