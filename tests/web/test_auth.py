"""Registration, sign-in, refresh rotation with reuse detection, sign-out, token validation."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import jwt as pyjwt
from flask_jwt_extended import create_access_token

from tests.conftest import PASSWORD


def register(api, email="new@example.com", **extra):
    body = {"email": email, "password": PASSWORD, "full_name": "Nueva Paciente", **extra}
    return api.post("/api/auth/register", json=body)


def test_register_creates_a_signed_in_patient(api):
    r = register(api, locale="en", phone="+34 600 000 000")
    assert r.status_code == 201
    body = r.get_json()
    assert body["user"]["role"] == "patient" and body["user"]["locale"] == "en"
    assert set(body["user"]) >= {"id", "email", "full_name", "role", "locale"}
    me = api.get("/api/me", body["access_token"])
    assert me.status_code == 200 and me.get_json()["email"] == "new@example.com"


def test_register_refuses_a_role_field(api):
    r = register(api, role="admin")
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"role": "not_accepted"}


def test_register_rejects_weak_long_and_common_passwords(api):
    for password, why in (
        ("short1", "too_short"),
        ("x" * 73, "too_long"),
        ("password123", "too_common"),
        ("ñ" * 37, "too_long"),
        ("qwerty12", "too_common"),
        ("aaaaaaaa", "too_common"),
        ("987654321", "too_common"),
        ("iloveyou2", "too_common"),
        ("p.ortega@example.com", "too_personal"),
        ("Paula-Ortega", "too_personal"),
    ):
        r = api.post(
            "/api/auth/register",
            json={"email": "p.ortega@example.com", "password": password, "full_name": "Paula Ortega"},
        )
        assert r.status_code == 422, password
        error = r.get_json()["error"]
        assert error["code"] == "weak_password" and error["fields"] == {"password": why}, password


def test_a_clinic_s_name_is_refused_as_a_password(api, db):
    from clinic.scheduling.models import Clinic

    db.add(Clinic(name="Clínica San Rafael", timezone="Europe/Madrid"))
    db.flush()
    r = api.post(
        "/api/auth/register", json={"email": "p@example.com", "password": "ClinicaSanRafael", "full_name": "P"}
    )
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"password": "too_personal"}


def test_a_password_refusal_speaks_the_request_s_language(api):
    body = {"email": "p@example.com", "password": "qwerty12", "full_name": "P"}
    spanish = api.post("/api/auth/register", json=body).get_json()["error"]["message"]
    english = api.post("/api/auth/register", json={**body, "locale": "en"}).get_json()["error"]["message"]
    by_header = api.post("/api/auth/register", json=body, headers={"Accept-Language": "en-GB,en;q=0.8"}).get_json()[
        "error"
    ]["message"]
    assert "contraseña" in spanish and "password" in english and by_header == english


def test_register_rejects_bad_email_and_answers_a_duplicate_like_a_new_address(api):
    assert register(api, email="not-an-email").status_code == 422
    assert register(api, email="dup@example.com").status_code == 201
    assert register(api, email="DUP@example.com").status_code == 201  # tests/identity/test_signup.py


def test_login_with_wrong_password_or_unknown_email_is_401(api, make_user):
    user = make_user()
    for email, password in ((user.email, "Wrong-Password-1"), ("nobody@example.com", PASSWORD)):
        r = api.post("/api/auth/login", json={"email": email, "password": password})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_credentials"


def test_login_is_case_insensitive_on_email(api, make_user):
    user = make_user(email="Mixed.Case@Example.com")
    assert api.login(user.email.upper())["user"]["id"] == user.id


def test_refresh_rotates_and_reuse_revokes_the_family(api, make_user):
    session = api.login(make_user().email)
    r1 = api.post("/api/auth/refresh", session["refresh_token"])
    assert r1.status_code == 200
    second = r1.get_json()
    assert second["refresh_token"] != session["refresh_token"]
    # The rotated-out token is dead; presenting it again revokes every token of the sign-in.
    reuse = api.post("/api/auth/refresh", session["refresh_token"])
    assert reuse.status_code == 401 and reuse.get_json()["error"]["code"] == "token_reused"
    assert api.post("/api/auth/refresh", second["refresh_token"]).status_code == 401


def test_refresh_refuses_an_access_token_and_access_refuses_a_refresh_token(api, make_user):
    session = api.login(make_user().email)
    assert api.post("/api/auth/refresh", session["access_token"]).status_code == 401
    assert api.get("/api/me", session["refresh_token"]).status_code == 401


def test_logout_kills_access_and_refresh_tokens(api, make_user):
    session = api.login(make_user().email)
    r = api.post("/api/auth/logout", session["access_token"], json={"refresh_token": session["refresh_token"]})
    assert r.status_code == 204
    assert api.get("/api/me", session["access_token"]).status_code == 401
    assert api.post("/api/auth/refresh", session["refresh_token"]).status_code == 401


def test_logout_without_refresh_token_still_closes_the_sign_in(api, make_user):
    session = api.login(make_user().email)
    assert api.post("/api/auth/logout", session["access_token"], json={}).status_code == 204
    assert api.post("/api/auth/refresh", session["refresh_token"]).status_code == 401


def test_expired_forged_and_unsigned_tokens_are_401(app, api, make_user):
    user = make_user()
    with app.app_context():
        expired = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-5))
    forged = pyjwt.encode(
        {"sub": str(user.id), "type": "access", "jti": "x", "role": "admin", "fresh": False},
        "not-the-secret-key-at-all-0123456789",
        algorithm="HS256",
    )
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    payload = (
        base64.urlsafe_b64encode(json.dumps({"sub": str(user.id), "type": "access", "jti": "y"}).encode())
        .rstrip(b"=")
        .decode()
    )
    unsigned = f"{header}.{payload}."
    for token in (expired, forged, unsigned, "garbage"):
        r = api.get("/api/me", token)
        assert r.status_code == 401, token
        assert r.get_json()["error"]["code"] == "invalid_token"


def test_access_token_lives_fifteen_minutes(api, make_user):
    token = api.login(make_user().email)["access_token"]
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 15 * 60


def test_disabled_account_loses_access_at_once(api, db, make_user):
    user = make_user()
    token = api.login(user.email)["access_token"]
    user.is_active = False
    db.flush()
    assert api.get("/api/me", token).status_code == 401


def test_browser_cookies_need_the_csrf_header(client, make_user):
    user = make_user()
    r = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200
    cookies = {c.key: c for c in client._cookies.values()}
    assert cookies["access_token_cookie"].http_only
    csrf = cookies["csrf_access_token"].value
    assert client.get("/api/me").status_code == 200  # reads need no CSRF header
    assert client.patch("/api/me", json={"locale": "en"}).status_code == 401
    r = client.patch("/api/me", json={"locale": "en"}, headers={"X-CSRF-TOKEN": csrf})
    assert r.status_code == 200 and r.get_json()["locale"] == "en"


def test_a_token_seen_before_still_expires_and_still_dies_at_logout(app, api, make_user):
    """Signatures are verified once per process; expiry and revocation are still checked on every request."""
    import time

    user = make_user()
    with app.app_context():
        short = create_access_token(
            identity=str(user.id), expires_delta=timedelta(seconds=1), additional_claims={"fam": str(uuid.uuid4())}
        )
    assert api.get("/api/me", short).status_code == 200  # verified, and remembered
    time.sleep(max(0.0, pyjwt.decode(short, options={"verify_signature": False})["exp"] - time.time()) + 0.05)
    expired = api.get("/api/me", short)
    assert expired.status_code == 401 and expired.get_json()["error"]["code"] == "invalid_token"

    token = api.login(user.email)["access_token"]
    assert api.get("/api/me", token).status_code == 200
    assert api.post("/api/auth/logout", token, json={}).status_code == 204
    assert api.get("/api/me", token).status_code == 401


def test_a_remembered_token_with_one_byte_changed_is_refused(api, make_user):
    token = api.login(make_user().email)["access_token"]
    assert api.get("/api/me", token).status_code == 200
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    assert api.get("/api/me", tampered).status_code == 401
