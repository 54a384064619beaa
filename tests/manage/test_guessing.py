"""Guessing: 1,000 random and neighbouring tokens all answer 404 (nothing tells a near miss from a wild
guess), and the per-address and per-token limits stop whoever keeps trying."""

from __future__ import annotations

import random
import secrets
import string
import time

import pytest

from tests.conftest import joined_factories, make_settings
from tests.scheduling.factories import future_day

PER_IP, PER_TOKEN = 30, 20
ALPHABET = string.ascii_letters + string.digits + "-_"


@pytest.fixture()
def limited(app, engine, connection, redis_client, request):
    """An app with the manage limits on, its sessions joined to the test's transaction (after `app`, which
    turns the shared limiter off for the session app)."""
    from web import create_app
    from web.extensions import limiter

    redis_client.flushdb()
    app = create_app(
        {
            "SETTINGS": make_settings(
                RATELIMIT_ENABLED="1",
                RATELIMIT_MANAGE=f"{PER_IP} per minute",
                RATELIMIT_MANAGE_TOKEN=f"{PER_TOKEN} per minute",
            ),
            "ACCESS_LOG": False,
        }
    )
    app.extensions.update(joined_factories(connection))
    request.addfinalizer(lambda: (setattr(limiter, "enabled", False), redis_client.flushdb()))
    return app


def _neighbours(token: str, rng: random.Random) -> set[str]:
    """Tokens one slip away: each position changed to other characters, case flips, a character more or less,
    padding, swapped neighbours."""
    out = set()
    for i, ch in enumerate(token):
        for other in rng.sample([c for c in ALPHABET if c != ch], 6):
            out.add(token[:i] + other + token[i + 1 :])
        if i + 1 < len(token) and token[i] != token[i + 1]:
            out.add(token[:i] + token[i + 1] + token[i] + token[i + 2 :])
    out |= {token[:-1], token + "A", token + "=", token + "==", token.swapcase(), token[1:], "A" + token}
    out.discard(token)
    return out


def test_a_thousand_random_and_neighbouring_tokens_are_all_404_and_the_throttle_kicks_in(
    limited, api, booked, mint, make_user, db
):
    from tests.scheduling.factories import add_appointment
    from datetime import datetime, timedelta, timezone

    rng = random.Random(20261203)
    setup = booked.setup
    others = [add_appointment(db, setup, make_user().id, setup.at(future_day(15 + i), 9)) for i in range(3)]
    real = [mint(booked.appointment["id"], "email"), mint(booked.appointment["id"], "sms")] + [
        mint(a.id) for a in others
    ]
    ended = add_appointment(db, setup, booked.patient.id, datetime.now(timezone.utc) - timedelta(hours=3))
    dead = mint(ended.id)
    guesses = set()
    for token in real + [dead]:
        guesses |= set(rng.sample(sorted(_neighbours(token, rng)), 100))
    guesses.add(dead)
    while len(guesses) < 1000:
        guesses.add(secrets.token_urlsafe(16))
    guesses -= set(real)
    assert len(guesses) >= 1000
    client = limited.test_client()
    started = time.monotonic()
    codes = {}
    for n, guess in enumerate(sorted(guesses)):
        # A fresh address each time: this part shows the answers, the throttle is shown below.
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        r = client.get(f"/api/manage/{guess}", environ_base={"REMOTE_ADDR": address})
        codes[r.status_code] = codes.get(r.status_code, 0) + 1
        assert (
            r.get_json()
            == {
                "error": {
                    "code": "not_found",
                    "message": "This link is not valid: it has expired or is wrong.",
                    "fields": {},
                }
            }
            or r.status_code != 404
        ), r.get_json()
    elapsed = time.monotonic() - started
    assert codes == {404: len(guesses)}, codes
    print(f"\n{len(guesses)} guesses, all 404, in {elapsed:.1f} s")
    # Every real token still opens its own appointment.
    for i, token in enumerate(real):
        r = client.get(f"/api/manage/{token}", environ_base={"REMOTE_ADDR": f"10.200.0.{i}"})
        assert r.status_code == 200
    # One address guessing: PER_IP answers, then 429 with Retry-After, even for a real token.
    answers = [
        client.get(f"/api/manage/{secrets.token_urlsafe(16)}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        for _ in range(PER_IP + 5)
    ]
    assert [r.status_code for r in answers] == [404] * PER_IP + [429] * 5
    assert int(answers[-1].headers["Retry-After"]) > 0 and answers[-1].get_json()["error"]["code"]
    assert client.get(f"/api/manage/{real[0]}", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 429
    # One token from many addresses: PER_TOKEN answers (the 200 above counted), then 429.
    spread = [
        client.get(f"/api/manage/{real[2]}", environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}).status_code
        for i in range(PER_TOKEN + 3)
    ]
    assert spread == [200] * (PER_TOKEN - 1) + [429] * 4
    # The limits count across the endpoints: the throttled token's calendar file and slots wait too...
    assert client.get(f"/api/manage/{real[2]}/ics", environ_base={"REMOTE_ADDR": "203.0.113.1"}).status_code == 429
    assert (
        client.get(
            f"/api/manage/{real[2]}/slots?from={booked.day}&to={booked.day}",
            environ_base={"REMOTE_ADDR": "203.0.113.2"},
        ).status_code
        == 429
    )
    assert (
        client.get(
            f"/api/manage/{secrets.token_urlsafe(16)}/ics", environ_base={"REMOTE_ADDR": "192.0.2.7"}
        ).status_code
        == 429
    )
    # ...while another token, from another address, is served.
    assert client.get(f"/api/manage/{real[3]}", environ_base={"REMOTE_ADDR": "198.51.100.250"}).status_code == 200
