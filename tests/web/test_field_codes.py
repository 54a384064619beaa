"""Every field in an error's `fields` carries a stable snake_case code (the contract's `{"field": "why"}`), which
the frontend translates: never pydantic's English ('String should have at least 1 character'). The error keeps
its shape `{code, message, fields}`; the words the codes replace go into `message` for developers."""
from __future__ import annotations

import re

from tests.conftest import PASSWORD

CODE = re.compile(r"[a-z][a-z0-9_]*")


def _error(r, status=422):
    assert r.status_code == status, r.get_data(as_text=True)
    error = r.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert all(CODE.fullmatch(why) for why in error["fields"].values()), error
    return error


def test_sign_up_field_codes(api):
    error = _error(api.post("/api/auth/register", json={
        "email": "not-an-address", "password": PASSWORD, "full_name": "", "phone": "1\n2", "rol": "admin"}))
    assert error["fields"] == {"email": "invalid_email", "full_name": "required",
                               "phone": "control_characters", "rol": "not_accepted"}
    assert "rol: is not an accepted field" in error["message"]  # the words stay, for a developer


def test_missing_too_long_and_not_allowed_values(api):
    assert _error(api.post("/api/auth/login", json={"email": "a@example.com"}))["fields"] == {"password": "required"}
    error = _error(api.post("/api/auth/register", json={
        "email": "a@example.com", "password": PASSWORD, "full_name": "x" * 201, "locale": "fr"}))
    assert error["fields"] == {"full_name": "too_long", "locale": "not_allowed_value"}


def test_password_policy_codes_are_unchanged(api):
    for password, code in (("short", "too_short"), ("password123", "too_common"), ("Laura Gómez 1", "too_personal")):
        error = _error(api.post("/api/auth/register", json={
            "email": "laura.gomez@example.com", "password": password, "full_name": "Laura Gómez"}))
        assert error["code"] == "weak_password" and error["fields"] == {"password": code}, password
        assert "contraseña" in error["message"]  # the message in the request's language (Spanish)


def test_service_errors_get_codes_too(api, make_user, token_for):
    patient = make_user("patient")
    r = api.post("/api/me/password", token_for(patient),
                 json={"current_password": "Wrong-Password-99", "new_password": "Otra-Clave-Muy-Segura-42"})
    assert _error(r)["fields"] == {"current_password": "wrong"}


def test_errors_without_fields_keep_an_empty_object(api):
    r = api.get("/api/does-not-exist")
    assert r.get_json()["error"]["fields"] == {}
