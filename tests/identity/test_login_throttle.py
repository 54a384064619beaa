"""Item 10: failed sign-ins are throttled per account, but nobody can use that to lock the owner out."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic.identity import resets
from clinic.identity import service as accounts
from tests.conftest import PASSWORD, make_settings

LIMIT = 3
NEW_PASSWORD = "Otra-Clave-Segura-42"


@pytest.fixture()
def limited(engine, redis_client, request):
    """An app with rate limits on (its own committed transactions), and a committed account."""
    from web import create_app
    from web.extensions import limiter

    redis_client.flushdb()
    app = create_app(
        {"SETTINGS": make_settings(RATELIMIT_ENABLED="1", RATELIMIT_AUTH=f"{LIMIT} per minute"), "ACCESS_LOG": False}
    )
    request.addfinalizer(lambda: setattr(limiter, "enabled", False))
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    with Session(engine) as session, session.begin():
        user_id = accounts.create_user(session, email=email, password=PASSWORD, full_name="Dueña", role="patient").id
    yield app, email
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM outbox WHERE topic = 'account.password_reset' AND (payload->>'user_id')::bigint = :u"),
            {"u": user_id},
        )
        conn.execute(text("DELETE FROM users WHERE id = :u"), {"u": user_id})
    redis_client.flushdb()


def _login(client, email: str, password: str, address: str) -> int:
    return client.post(
        "/api/auth/login", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    ).status_code


def _attack(app, email: str, times: int = 2 * LIMIT) -> list[int]:
    """Wrong passwords from many addresses and fresh clients (no device cookie)."""
    return [_login(app.test_client(), email, "Wrong-Password-1", f"10.1.0.{i}") for i in range(times)]


def test_guesses_on_an_account_are_throttled_whatever_the_address(limited):
    app, email = limited
    codes = _attack(app, email)
    assert codes[:LIMIT] == [401] * LIMIT and set(codes[LIMIT:]) == {429}
    # A stranger's device, even with the right password, waits like everyone else: it is indistinguishable
    # from the attacker.
    assert _login(app.test_client(), email, PASSWORD, "10.2.0.1") == 429


def test_the_owners_usual_device_still_signs_in_during_an_attack(limited):
    app, email = limited
    owner = app.test_client()
    assert _login(owner, email, PASSWORD, "192.0.2.10") == 200  # earlier: this browser becomes a known device
    assert _attack(app, email)[-1] == 429
    assert _login(owner, email, PASSWORD, "192.0.2.10") == 200
    assert _login(owner, email, PASSWORD, "198.51.100.7") == 200  # the device, not the address, counts


def test_the_owners_device_has_its_own_guess_limit(limited):
    app, email = limited
    owner = app.test_client()
    assert _login(owner, email, PASSWORD, "192.0.2.10") == 200
    codes = [_login(owner, email, "Wrong-Password-1", f"192.0.2.{20 + i}") for i in range(LIMIT + 1)]
    assert codes == [401] * LIMIT + [429]
    assert _login(app.test_client(), email, "Wrong-Password-1", "10.3.0.1") == 401  # others' bucket untouched


def test_successful_sign_ins_do_not_use_up_the_limit(limited):
    app, email = limited
    codes = [_login(app.test_client(), email, PASSWORD, f"10.4.0.{i}") for i in range(LIMIT + 2)]
    assert codes == [200] * (LIMIT + 2)


def test_a_device_cookie_is_bound_to_its_account_and_cannot_be_forged(limited, engine):
    app, email = limited
    owner = app.test_client()
    assert _login(owner, email, PASSWORD, "192.0.2.10") == 200
    device = owner.get_cookie("login_device", path="/api/auth/").value
    _attack(app, email)
    forged = app.test_client()
    forged.set_cookie("login_device", device.split(".")[0] + ".AAAA", path="/api/auth/")
    assert _login(forged, email, PASSWORD, "10.5.0.1") == 429
    with Session(engine) as session, session.begin():
        other = accounts.create_user(
            session,
            email=f"other-{uuid.uuid4().hex[:8]}@example.com",
            password=PASSWORD,
            full_name="Otra",
            role="patient",
        )
        other_email, other_id = other.email, other.id
    try:
        elsewhere = app.test_client()
        assert _login(elsewhere, other_email, PASSWORD, "10.6.0.1") == 200  # a cookie for the other account
        assert _login(elsewhere, email, PASSWORD, "10.6.0.1") == 429  # does not open this one's bucket
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE id = :u"), {"u": other_id})


def test_the_reset_link_works_while_throttled_and_marks_the_device(limited, engine):
    app, email = limited
    assert _attack(app, email)[-1] == 429
    new_device = app.test_client()
    r = new_device.post("/api/auth/password-reset", json={"email": email}, environ_base={"REMOTE_ADDR": "10.7.0.1"})
    assert r.status_code == 202
    with engine.connect() as conn:
        nonce = conn.execute(
            text("SELECT r.nonce FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.email = :e"),
            {"e": email},
        ).scalar_one()
    token = resets.token_for(app.config["JWT_SECRET_KEY"], nonce)
    r = new_device.post(
        "/api/auth/password-reset/confirm",
        json={"token": token, "password": NEW_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.7.0.1"},
    )
    assert r.status_code == 204
    assert _login(new_device, email, NEW_PASSWORD, "10.7.0.1") == 200


def test_rate_limit_keys_carry_no_email_address(limited, redis_client):
    app, email = limited
    _attack(app, email, times=LIMIT)
    keys = [k.decode() for k in redis_client.keys("*")]
    assert keys and not [k for k in keys if email.split("@")[0] in k or "@" in k]


def test_guessing_the_current_password_of_a_stolen_session_is_throttled(limited):
    app, email = limited
    client = app.test_client()
    token = client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    codes = [
        client.post(
            "/api/me/password",
            headers=headers,
            environ_base={"REMOTE_ADDR": f"10.8.0.{i}"},
            json={"current_password": f"Guess-{i}-xyz", "new_password": NEW_PASSWORD},
        ).status_code
        for i in range(LIMIT + 1)
    ]
    assert codes == [422] * LIMIT + [429]
