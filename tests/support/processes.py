"""Run the real Procfile processes (gunicorn web, dramatiq worker, scheduler) for end-to-end tests.

    with ProcfileProcesses(["web"], env={"DATABASE_URL": url, ...}) as system:
        status, body = system.call("GET", "/api/health")
        system.log("web")  # everything the process printed

Each process runs the Procfile's own command line in its own session (so the whole group is stopped),
on a free loopback port, with output captured to a file under tmp_dir.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib import request as urlrequest
from urllib.error import HTTPError, URLError

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_commands(path: Path = ROOT / "Procfile") -> dict[str, str]:
    return dict(re.findall(r"^([\w-]+):\s*(.+)$", path.read_text(), re.M))


class ProcfileProcesses:
    """Start some Procfile process types with `env` on top of a minimal environment; stop them on exit."""

    def __init__(
        self, names, env: dict, tmp_dir: Path | None = None, health_timeout: float = 40, port: int | None = None
    ):
        self.names = list(names)
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.dir = Path(tmp_dir or tempfile.mkdtemp(prefix="clinic-e2e-"))
        self.env = {
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
            "VIRTUAL_ENV": str(VENV_BIN.parent),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            **{k: str(v) for k, v in env.items()},
        }
        self.health_timeout = health_timeout
        self.procs: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> "ProcfileProcesses":
        cmds = procfile_commands()
        try:
            for name in self.names:
                out = open(self.dir / f"{name}.log", "wb")
                self.procs[name] = subprocess.Popen(
                    ["bash", "-c", "exec " + cmds[name]],
                    cwd=ROOT,
                    env=self.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                out.close()
            if "web" in self.names:
                self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_healthy(self) -> None:
        end = time.time() + self.health_timeout
        while time.time() < end:
            if self.procs["web"].poll() is not None:
                raise RuntimeError("web exited early:\n" + self.log("web")[-2000:])
            try:
                if self.call("GET", "/api/health")[0] == 200:
                    return
            except (URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError("web did not answer /api/health in time:\n" + self.log("web")[-2000:])

    def stop(self, timeout: float = 15) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs.values():
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def log(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def call(self, method: str, path: str, token: str | None = None, body=None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        req = urlrequest.Request(self.base + path, data=data, method=method, headers=hdrs)
        try:
            with urlrequest.urlopen(req, timeout=30) as r:
                status, raw = r.status, r.read()
        except HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")
