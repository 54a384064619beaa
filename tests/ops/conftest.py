"""Helpers for ops tests that run the real commands (flask CLI, gunicorn) as subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def process_env(**overrides) -> dict:
    """A clean environment for a project command: the test DB and Redis db, nothing inherited by accident."""
    env = {
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "BCRYPT_ROUNDS": "4",
        "APP_ENV": "development",
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "RATELIMIT_ENABLED": "0",
    }
    env.update({k: str(v) for k, v in overrides.items() if v is not None})
    for k in [k for k, v in overrides.items() if v is None]:
        env.pop(k, None)
    return env


def run(args: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def flask(*args: str, env: dict) -> subprocess.CompletedProcess:
    return run([str(VENV_BIN / "flask"), "--app", "web", *args], env)


@pytest.fixture()
def migrated_db(engine) -> str:
    """The session's test database, migrated to head (URL for subprocesses)."""
    return TEST_DATABASE_URL
