"""Fixtures for the manage-link tests: a booked appointment and the tokens of its links."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from clinic.manage import tokens
from tests.scheduling.factories import Setup, future_day, make_doctor


@dataclass
class Booked:
    setup: Setup
    patient: object
    appointment: dict
    day: object


@pytest.fixture()
def mint(app, db):
    """mint(appointment_id, channel="email") -> a live token, as the email worker would mint it."""
    secret = app.config["SETTINGS"].jwt_secret_key

    def make(appointment_id: int, channel: str = "email") -> str:
        return tokens.mint(db, appointment_id=appointment_id, channel=channel, secret=secret)

    return make


@pytest.fixture()
def booked(api, db, make_user, token_for) -> Booked:
    """A patient's appointment at 09:00 two weeks ahead, booked through the API."""
    setup = make_doctor(db)
    patient = make_user()
    day = future_day()
    r = api.post(
        "/api/appointments",
        token_for(patient),
        json={
            "doctor_id": setup.doctor.id,
            "service_id": setup.service_id,
            "starts_at": setup.at(day, 9).isoformat(),
            "reason": "Dolor de pecho",
        },
    )
    assert r.status_code == 201, r.get_json()
    return Booked(setup=setup, patient=patient, appointment=r.get_json(), day=day)


@pytest.fixture()
def world(engine):
    """Committed rows for tests that go through the email sender (its own transactions); removed afterwards."""
    from tests.support.async_world import World

    w = World(engine)
    yield w
    w.cleanup()
