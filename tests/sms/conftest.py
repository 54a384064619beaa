"""Fixtures for the SMS tests: a fake Twilio on loopback (Basic auth checked, form-encoded messages
recorded) next to the fake mail servers, and the async world of tests/workers."""

from __future__ import annotations

import random

import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.async_world import process_env
from tests.support.fake_twilio import FakeTwilio
from tests.workers.conftest import fake, workers, world  # noqa: F401  (fixtures)


@pytest.fixture()
def twilio():
    with FakeTwilio() as server:
        yield server


@pytest.fixture()
def env(fake, twilio, redis_client):  # noqa: F811
    redis_client.flushdb()
    return process_env(TEST_DATABASE_URL, TEST_REDIS_URL, fake.url, SMTP_URL=fake.smtp_url, **twilio.env())


def mobile() -> str:
    """A valid Spanish mobile number in E.164, different each time."""
    return "+346" + "".join(random.choice("0123456789") for _ in range(8))


def opted_in(world, patient: dict, phone: str | None = None, locale: str | None = None) -> str:  # noqa: F811
    phone = phone or mobile()
    world.sql(
        "UPDATE users SET phone = :p, sms_opt_in = true, sms_opt_in_at = now(), sms_consent_by = id, "
        "locale = COALESCE(:l, locale) WHERE id = :id",
        p=phone,
        l=locale,
        id=patient["id"],
    )
    return phone
