"""Shared benchmark plumbing: a scratch database, gunicorn on loopback, wrk, and its numbers.

Every run measures a ceiling and the target on the same machine in the same run, with the same gunicorn
settings (2 workers of the class gunicorn.conf.py names) and the load generator on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
BENCH_DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinic_bench_sched")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
JWT_SECRET = "bench-secret-" + "x" * 32
WORKERS = os.environ.get("BENCH_WORKERS", "2")
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "")


def env(**extra) -> dict:
    out = dict(os.environ)
    out.update(
        {
            "APP_ENV": "bench",
            "DATABASE_URL": BENCH_DB_URL,
            "REDIS_URL": BENCH_REDIS_URL,
            "JWT_SECRET_KEY": JWT_SECRET,
            "RATELIMIT_ENABLED": "0",
            "PYTHONPATH": str(ROOT),
            "BCRYPT_ROUNDS": "4",
        }
    )
    out.update(extra)
    return out


def recreate_database() -> None:
    base, name = BENCH_DB_URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PYTHON, "-m", "flask", "--app", "web", "db", "upgrade"],
        cwd=ROOT,
        env=env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, worker_class: str = "", **extra_env):
    """Serve `app` ("module:factory()") with 2 workers on a free loopback port; yield the base URL.

    The server's stderr goes to a temporary file (a pipe nobody reads would fill and stall it)."""
    port = free_port()
    errors = tempfile.TemporaryFile()
    # gunicorn reads the repository's gunicorn.conf.py (worker class, threads); BENCH_WORKER_CLASS=sync
    # measures the former sync worker for comparison.
    worker_class = worker_class or WORKER_CLASS
    chosen = ["--worker-class", worker_class] if worker_class else []
    proc = subprocess.Popen(
        [GUNICORN, "--workers", WORKERS, *chosen, "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT,
        env=env(**extra_env),
        stdout=subprocess.DEVNULL,
        stderr=errors,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    errors.seek(0)
                    raise RuntimeError(errors.read().decode(errors="replace")) from None
                time.sleep(0.1)
        time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        errors.close()


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int = 32,
    threads: int = 2,
    script: list[str] | None = None,
    headers: dict | None = None,
) -> dict:
    """Run wrk and return requests/s, p50/p99 in ms, and the counts of requests and non-2xx answers."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    if script:
        cmd += ["-s", script[0], url, "--", *script[1:]]
    else:
        cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": _ms(*p50.groups()),
        "p99_ms": _ms(*p99.groups()),
        "requests": total,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
        "raw": out,
    }


def mean_of(runs: list[dict]) -> dict:
    """Average several wrk runs (throughput and latencies); counts are summed."""
    out = {key: sum(r[key] for r in runs) / len(runs) for key in ("rps", "p50_ms", "p99_ms")}
    out.update(
        requests=sum(r["requests"] for r in runs),
        non_2xx=sum(r["non_2xx"] for r in runs),
        rounds=[round(r["rps"]) for r in runs],
    )
    return out


def report(name: str, ceiling: dict, target: dict) -> float:
    ratio = target["rps"] / ceiling["rps"]
    print(f"{name}")
    print(
        f"  ceiling: {ceiling['rps']:8.0f} req/s  p50 {ceiling['p50_ms']:6.2f} ms  p99 {ceiling['p99_ms']:6.2f} ms"
        f"  ({ceiling['requests']} requests, {ceiling['non_2xx']} non-2xx)"
    )
    print(
        f"  target : {target['rps']:8.0f} req/s  p50 {target['p50_ms']:6.2f} ms  p99 {target['p99_ms']:6.2f} ms"
        f"  ({target['requests']} requests, {target['non_2xx']} non-2xx)"
    )
    if "rounds" in ceiling:
        print(f"  rounds : ceiling {ceiling['rounds']} req/s, target {target['rounds']} req/s (alternating)")
    print(f"  ratio  : {ratio:.1%}   p99 ratio: {target['p99_ms'] / ceiling['p99_ms']:.2f}x")
    return ratio


def round_arguments() -> argparse.Namespace:
    """The options of the alternating ceiling/target benchmarks (booking, slots)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=6, help="per measured run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating ceiling/target runs")
    parser.add_argument("--connections", type=int, default=32)
    return parser.parse_args()


def access_tokens(user_ids: list[int], role: str = "patient") -> dict[int, str]:
    """Access tokens like those the login endpoint issues (signed with the app's key, naming the user's
    role and a sign-in family, which every request checks was not revoked), valid for two hours."""
    from flask_jwt_extended import create_access_token

    from web import create_app

    os.environ.update(env(ACCESS_TOKEN_MINUTES="120"))
    app = create_app({"ACCESS_LOG": False})
    with app.app_context():
        return {
            user_id: create_access_token(
                identity=str(user_id), additional_claims={"role": role, "fam": str(uuid.uuid4())}
            )
            for user_id in user_ids
        }


def signed_in_floor(app_url: str, token: str, args: argparse.Namespace) -> dict:
    """For context, not judged: `GET /api/me` (token check + one primary-key read), the app's cheapest
    signed-in request."""
    return wrk(
        app_url + "/api/me",
        seconds=args.seconds,
        connections=args.connections,
        headers={"Authorization": f"Bearer {token}"},
    )


def report_floor(floor: dict, ceiling: dict, target: dict, what: str) -> None:
    print(
        f"  context: GET /api/me (signed-in floor of the stack) {floor['rps']:.0f} req/s = "
        f"{floor['rps'] / ceiling['rps']:.1%} of the ceiling; {what} at {target['rps'] / floor['rps']:.0%} of it"
    )


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def server_pids(url: str) -> list[int]:
    """The gunicorn master and workers serving `url` (their command line names its bind address)."""
    bind = url.split("//", 1)[1].encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if bind in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def cpu_seconds(url: str, db_url: str | None = None) -> float:
    """CPU seconds used so far by the server behind `url` and, with `db_url`, by the PostgreSQL backends
    connected to that database: with the machine shared, CPU per request is the steadier measure of cost
    (throughput also measures the neighbours)."""
    total = sum(_proc_cpu(pid) for pid in server_pids(url))
    if db_url:
        name = db_url.rsplit("/", 1)[1]
        with psycopg.connect(db_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            pids = [
                r[0]
                for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", (name,)
                )
            ]
        total += sum(_proc_cpu(pid) for pid in pids)
    return total


def wrk_cpu(url: str, path: str, *, db_url: str | None = None, **kw) -> dict:
    """`wrk` on url + path, plus the server's (and its database backends') CPU milliseconds per request."""
    before = cpu_seconds(url, db_url)
    result = wrk(url + path, **kw)
    result["cpu_ms"] = (cpu_seconds(url, db_url) - before) * 1000 / max(result["requests"], 1)
    return result


def table_schema(conn, table: str) -> dict:
    """What a load must leave exactly as the migrations made it: the table's index and constraint
    definitions (with whether each is validated), the foreign keys that point at it, its own triggers
    (and whether each is enabled) and its storage options."""
    return {
        "indexes": sorted(
            r[0]
            for r in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s", (table,)
            )
        ),
        "constraints": sorted(
            conn.execute(
                "SELECT conname, contype::text, pg_get_constraintdef(oid), convalidated, condeferrable FROM pg_constraint "
                "WHERE conrelid = %s::regclass",
                (table,),
            ).fetchall()
        ),
        "referencing": sorted(
            conn.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                "WHERE confrelid = %s::regclass AND contype = 'f'",
                (table,),
            ).fetchall()
        ),
        "triggers": sorted(
            conn.execute(
                "SELECT tgname, pg_get_triggerdef(oid), tgenabled::text FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal",
                (table,),
            ).fetchall()
        ),
        "reloptions": conn.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", (table,)).fetchone()[0],
    }


@contextmanager
def lowered_priority(conn, niceness: int = 10):
    """Lower the CPU and I/O priority of `conn`'s PostgreSQL backend, and of every parallel worker it starts
    while the block runs (a watcher renices them as they appear), so a long load yields to the other work on
    the machine. Yields the set of worker pids seen (the parallel index builds)."""
    import threading

    leader = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    seen: set[int] = set()
    stop = threading.Event()

    def lower(pid: int) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
            subprocess.run(["ionice", "-c2", "-n7", "-p", str(pid)], check=False, capture_output=True)
        except OSError:
            pass  # gone already

    def watch() -> None:
        with psycopg.connect(conn.info.dsn, autocommit=True) as watcher:
            while not stop.wait(0.3):
                for (pid,) in watcher.execute("SELECT pid FROM pg_stat_activity WHERE leader_pid = %s", (leader,)):
                    if pid not in seen:
                        seen.add(pid)
                        lower(pid)

    lower(leader)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(5)
        try:
            os.setpriority(os.PRIO_PROCESS, leader, 0)
            subprocess.run(["ionice", "-c2", "-n4", "-p", str(leader)], check=False, capture_output=True)
        except OSError:
            pass


def bulk_load(conn, table: str, sql: str, params: dict, *, niceness: int = 10) -> dict:
    """Load a big table the way a restore does, and leave it as production would have it.

    In one transaction: autovacuum off for the table; its secondary indexes, its unique and exclusion
    constraints (the GiST ones) and its own foreign keys dropped; the set-based `sql` (one `INSERT …
    SELECT`); then everything added back from the definitions read from the catalog before — b-trees built
    with a generous `maintenance_work_mem` and parallel workers (GiST builds are single-threaded), the
    foreign keys validated by PostgreSQL in one query each instead of a per-row trigger. The primary key,
    the NOT NULL and CHECK constraints and the table's own triggers stay in place (a statement-level trigger
    fires once for the whole load, exactly as it would for any INSERT). Then `VACUUM (ANALYZE)` and
    autovacuum back to the table's own setting. Asserts that the table's indexes, constraints, foreign
    keys, triggers and options are the same as before the load. The backend doing it (and its parallel
    workers) runs reniced to `niceness`. Returns the wall seconds of each phase and the CPU seconds of the
    backend in it (its parallel workers' CPU not included)."""
    timings: dict[str, float] = {}
    backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    def timed(name: str, statement: str, args: dict | None = None) -> None:
        started, cpu = time.perf_counter(), _proc_cpu(backend)
        conn.execute(statement, args)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
        timings[f"{name}, backend CPU"] = timings.get(f"{name}, backend CPU", 0.0) + _proc_cpu(backend) - cpu

    before = table_schema(conn, table)
    own = conn.execute(
        "SELECT conname, contype::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('u', 'x', 'f') ORDER BY contype DESC, conname",
        (table,),
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s AND indexname "
        "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x')) "
        "ORDER BY indexname",
        (table, table),
    ).fetchall()
    with lowered_priority(conn, niceness) as workers, conn.transaction():
        conn.execute("SET LOCAL maintenance_work_mem = '2GB'")
        conn.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        for name, _, _ in own:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        timed("insert", sql, params)
        for name, kind, definition in own:
            if kind == "u":
                timed(f"unique {name}", f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            timed(f"index {name}", definition)
        for name, kind, definition in own:
            if kind == "x":
                timed(f"exclusion {name} (GiST)", f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, kind, definition in own:
            if kind == "f":
                timed("foreign keys (validated)", f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    with lowered_priority(conn, niceness):
        timed("vacuum analyze", "VACUUM (ANALYZE)")
        conn.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
        if before["reloptions"]:
            conn.execute(f"ALTER TABLE {table} SET ({', '.join(before['reloptions'])})")
    after = table_schema(conn, table)
    assert after == before, f"{table} changed by the load:\n{before}\n{after}"
    timings["parallel index workers seen"] = len(workers)
    return timings
