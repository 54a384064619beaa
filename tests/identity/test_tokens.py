"""Access tokens die with their sign-in; malformed tokens are 401; idle sign-ins end on the server."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import jwt as pyjwt
import pytest
from sqlalchemy import text

SECRET = "test-secret-" + "x" * 32


def _signed(claims: dict) -> str:
    return pyjwt.encode(claims, SECRET, algorithm="HS256")


def _access_claims(user, **overrides) -> dict:
    now = int(time.time())
    claims = {
        "sub": str(user.id),
        "type": "access",
        "jti": str(uuid.uuid4()),
        "fam": str(uuid.uuid4()),
        "role": user.role,
        "fresh": False,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _assert_invalid(response):
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_a_well_formed_token_signed_with_the_key_is_accepted(api, make_user):
    user = make_user()
    assert api.get("/api/me", _signed(_access_claims(user))).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": None},  # no expiry: would live forever
        {"sub": "abc"},  # was a 500 (int("abc"))
        {"sub": "9" * 30},  # beyond BIGINT
        {"sub": 7},  # not a string
        {"jti": "not-a-uuid"},  # was a 422 (PostgreSQL refused the uuid)
        {"jti": None},
        {"fam": "not-a-uuid"},
        {"fam": None},  # an access token always names its sign-in
        {"type": "something"},
    ],
    ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()),
)
def test_malformed_but_signed_access_tokens_are_401(api, make_user, overrides):
    user = make_user()
    token = _signed(_access_claims(user, **overrides))
    _assert_invalid(api.get("/api/me", token))
    _assert_invalid(api.get("/api/me", token))  # and again, once the first verdict could have been remembered
    _assert_invalid(api.post("/api/appointments", token, json={}))  # the in-statement account check path


def test_malformed_refresh_tokens_are_401(api, make_user):
    user = make_user()
    now = int(time.time())
    base = {"sub": str(user.id), "type": "refresh", "jti": str(uuid.uuid4()), "iat": now, "exp": now + 600}
    for bad in ({"jti": "nope"}, {"sub": "abc"}, {"exp": None}):
        claims = {k: v for k, v in {**base, **bad}.items() if v is not None}
        _assert_invalid(api.post("/api/auth/refresh", _signed(claims)))


def test_refresh_token_reuse_kills_the_familys_access_tokens_at_once(api, make_user):
    session = api.login(make_user().email)
    rotated = api.post("/api/auth/refresh", session["refresh_token"]).get_json()
    assert api.get("/api/me", rotated["access_token"]).status_code == 200
    assert api.post("/api/auth/refresh", session["refresh_token"]).status_code == 401  # reuse: family revoked
    _assert_invalid(api.get("/api/me", rotated["access_token"]))
    _assert_invalid(api.get("/api/me", session["access_token"]))


def test_reuse_in_one_sign_in_leaves_the_accounts_other_sign_ins_alone(api, make_user):
    user = make_user()
    first, second = api.login(user.email), api.login(user.email)
    api.post("/api/auth/refresh", first["refresh_token"])
    api.post("/api/auth/refresh", first["refresh_token"])
    _assert_invalid(api.get("/api/me", first["access_token"]))
    assert api.get("/api/me", second["access_token"]).status_code == 200


def test_logout_all_ends_every_sign_in_of_the_account(api, make_user):
    user, other = make_user(), make_user()
    sessions = [api.login(user.email) for _ in range(3)]
    bystander = api.login(other.email)
    r = api.post("/api/auth/logout-all", sessions[0]["access_token"])
    assert r.status_code == 204
    for s in sessions:
        _assert_invalid(api.get("/api/me", s["access_token"]))
        assert api.post("/api/auth/refresh", s["refresh_token"]).status_code == 401
    assert api.get("/api/me", bystander["access_token"]).status_code == 200
    assert api.login(user.email)["access_token"]  # signing in again works


def test_logout_all_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/auth/logout-all"]


def _age_refresh_tokens(db, user, minutes: int) -> None:
    db.execute(
        text("UPDATE refresh_tokens SET issued_at = issued_at - make_interval(mins => :m) WHERE user_id = :u"),
        {"m": minutes, "u": user.id},
    )
    db.flush()


def test_an_idle_sign_in_ends_on_the_server(api, db, make_user):
    """REFRESH_IDLE_MINUTES (30) plus one access-token life (15): the browser may refresh that late and
    still be active, no later."""
    user = make_user()
    session = api.login(user.email)
    _age_refresh_tokens(db, user, 30 + 15 + 1)
    r = api.post("/api/auth/refresh", session["refresh_token"])
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "session_idle"
    _assert_invalid(api.get("/api/me", session["access_token"]))  # the whole sign-in ended
    assert api.post("/api/auth/refresh", session["refresh_token"]).status_code == 401


def test_a_sign_in_used_within_the_idle_limit_keeps_sliding(api, db, make_user):
    user = make_user()
    refresh = api.login(user.email)["refresh_token"]
    for _ in range(3):
        _age_refresh_tokens(db, user, 30 + 15 - 2)
        r = api.post("/api/auth/refresh", refresh)
        assert r.status_code == 200, r.get_json()
        refresh = r.get_json()["refresh_token"]


def test_the_idle_limit_can_be_turned_off():
    from tests.conftest import make_settings
    from web.api.auth import _idle_limit

    assert _idle_limit(make_settings(REFRESH_IDLE_MINUTES="0")) is None
    assert _idle_limit(make_settings()) == timedelta(minutes=45)
    assert _idle_limit(make_settings(REFRESH_IDLE_MINUTES="10", ACCESS_TOKEN_MINUTES="5")) == timedelta(minutes=15)


def test_logout_all_needs_a_signed_in_caller(api):
    _assert_invalid(api.post("/api/auth/logout-all"))
