"""A real `dramatiq workers.main:boot` process for tests that hand it their own messages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def dramatiq_worker(threads: int = 2) -> Iterator[subprocess.Popen]:
    """Start one worker process against the test database and Redis db; stop it (group-wide) afterwards.

    No outbox relay thread runs in it (it would relay every committed row to every subscriber, e.g.
    appointment emails whose deliveries then stay 'sending' and disturb later tests), and any email (HTTP or
    SMTP) goes to a closed loopback port, never to the real provider. Output goes to a temporary file, not a pipe that
    nobody reads (a full pipe would block the worker).
    """
    env = dict(
        os.environ,
        APP_ENV="test",
        DATABASE_URL=TEST_DATABASE_URL,
        REDIS_URL=TEST_REDIS_URL,
        SENTRY_DSN="",
        PYTHONPATH=str(ROOT),
        OUTBOX_RELAY_IN_WORKERS="0",
        RESEND_API_URL="http://127.0.0.1:9",
        SMTP_URL="smtp://127.0.0.1:9",
    )
    dramatiq_bin = Path(sys.executable).with_name("dramatiq")
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [str(dramatiq_bin), "workers.main:boot", "--processes", "1", "--threads", str(threads)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
