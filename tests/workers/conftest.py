"""Fixtures for tests that run real worker and scheduler processes against Redis, a fake Resend API and a
real SMTP server on loopback (invitations go there, as iMIP messages)."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.async_world import Worker, World, process_env
from tests.support.fake_mail import FakeMail


@pytest.fixture()
def world(engine):
    w = World(engine)
    w.sql("DELETE FROM outbox")
    yield w
    w.cleanup()


@pytest.fixture()
def fake():
    with FakeMail() as server:
        yield server


@pytest.fixture()
def env(fake, redis_client):
    redis_client.flushdb()
    return process_env(TEST_DATABASE_URL, TEST_REDIS_URL, fake.url, SMTP_URL=fake.smtp_url)


@pytest.fixture()
def workers(tmp_path):
    """Start workers with `start(env)`; all are stopped at the end (their logs shown on failure)."""
    started: list[Worker] = []

    def start(env: dict, **kw) -> Worker:
        w = Worker(env, tmp_path / f"worker-{len(started)}.log", **kw)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()
    for w in started:
        print(w.output()[-3000:])
