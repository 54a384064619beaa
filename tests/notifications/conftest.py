"""Fixtures for the notification tests: a world of committed rows, removed afterwards."""

from __future__ import annotations

import pytest

from tests.support.async_world import World


@pytest.fixture()
def world(engine):
    w = World(engine)
    yield w
    w.cleanup()
