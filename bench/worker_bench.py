"""Benchmark: the web process's worker (gunicorn.conf.py) against gunicorn's sync worker, same app, same run.

    .venv/bin/python bench/worker_bench.py [--seconds 4] [--rounds 3] [--connections 32]

Seeds the slots benchmark's database (bench/slots_bench.py: a doctor with 2,000 appointments), serves the
real app twice on 127.0.0.1 (2 workers each: `sync`, and the configured `web.server.BufferingWorker`), and
drives both alternately with wrk for `GET /api/health`, `GET /api/me` and a month of slots. Prints each
one's requests/s and the ratio configured / sync (means of the rounds). Exits non-zero when the configured
worker is below 90 % of sync on any of them.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, slots_bench  # noqa: E402

MIN_RATIO = 0.9


def main() -> int:
    args = common.round_arguments()
    first = date.today() + timedelta(days=30)
    common.recreate_database()
    with psycopg.connect(common.BENCH_DB_URL, autocommit=True) as conn:
        doctor, service, patient = slots_bench.seed(conn, first)
    token = common.access_tokens([patient])[patient]
    headers = {"Authorization": f"Bearer {token}"}
    cases = {
        "health": ("/api/health", None),
        "me": ("/api/me", headers),
        "slots": (
            f"/api/doctors/{doctor}/slots?service_id={service}&from={first}&to={first + timedelta(days=30)}",
            headers,
        ),
    }
    runs: dict[tuple[str, str], list[dict]] = {}
    with (
        common.gunicorn("web:create_app()", worker_class="sync", ACCESS_TOKEN_MINUTES="120") as sync_url,
        common.gunicorn("web:create_app()", ACCESS_TOKEN_MINUTES="120") as configured_url,
    ):
        servers = {"sync": sync_url, "configured": configured_url}
        for url in servers.values():
            common.wrk(url + "/api/health", seconds=2, connections=args.connections)
        for _ in range(args.rounds):
            for case, (path, case_headers) in cases.items():
                for name, url in servers.items():
                    runs.setdefault((case, name), []).append(
                        common.wrk(url + path, seconds=args.seconds, connections=args.connections, headers=case_headers)
                    )
    ok = True
    for case in cases:
        sync, configured = common.mean_of(runs[(case, "sync")]), common.mean_of(runs[(case, "configured")])
        ratio = configured["rps"] / sync["rps"]
        ok &= ratio >= MIN_RATIO and configured["non_2xx"] == 0
        print(
            f"{case:7s} sync {sync['rps']:7.0f} req/s (p99 {sync['p99_ms']:6.1f} ms, rounds {sync['rounds']})  "
            f"configured {configured['rps']:7.0f} req/s (p99 {configured['p99_ms']:6.1f} ms, "
            f"rounds {configured['rounds']})  ratio {ratio:.1%}"
        )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
