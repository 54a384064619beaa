"""Appointment tests sign in many times a minute; they run with the rate limits their app was built with.

`web.extensions.limiter` is one shared object: a test elsewhere that builds a second app with limits on
leaves it enabled for every later test in the session. Restore the session app's setting around each test.
"""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _limits_as_configured(base_app):
    from web.extensions import limiter

    before = limiter.enabled
    limiter.enabled = bool(base_app.config.get("RATELIMIT_ENABLED"))
    yield
    limiter.enabled = before
