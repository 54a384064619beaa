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
    error = _error(
        api.post(
            "/api/auth/register",
            json={"email": "not-an-address", "password": PASSWORD, "full_name": "", "phone": "1\n2", "rol": "admin"},
        )
    )
    assert error["fields"] == {
        "email": "invalid_email",
        "full_name": "required",
        "phone": "control_characters",
        "rol": "not_accepted",
    }
    assert "rol: is not an accepted field" in error["message"]  # the words stay, for a developer


def test_missing_too_long_and_not_allowed_values(api):
    assert _error(api.post("/api/auth/login", json={"email": "a@example.com"}))["fields"] == {"password": "required"}
    error = _error(
        api.post(
            "/api/auth/register",
            json={"email": "a@example.com", "password": PASSWORD, "full_name": "x" * 201, "locale": "fr"},
        )
    )
    assert error["fields"] == {"full_name": "too_long", "locale": "not_allowed_value"}


def test_password_policy_codes_are_unchanged(api):
    for password, code in (("short", "too_short"), ("password123", "too_common"), ("Laura Gómez 1", "too_personal")):
        error = _error(
            api.post(
                "/api/auth/register",
                json={"email": "laura.gomez@example.com", "password": password, "full_name": "Laura Gómez"},
            )
        )
        assert error["code"] == "weak_password" and error["fields"] == {"password": code}, password
        assert "contraseña" in error["message"]  # the message in the request's language (Spanish)


def test_service_errors_get_codes_too(api, make_user, token_for):
    patient = make_user("patient")
    r = api.post(
        "/api/me/password",
        token_for(patient),
        json={"current_password": "Wrong-Password-99", "new_password": "Otra-Clave-Muy-Segura-42"},
    )
    assert _error(r)["fields"] == {"current_password": "wrong"}


def test_errors_without_fields_keep_an_empty_object(api):
    r = api.get("/api/does-not-exist")
    assert r.get_json()["error"]["fields"] == {}


def test_phone_numbers_are_checked_wherever_they_are_given(api, make_user, token_for):
    """Sign-up, walk-ins, staff accounts and clinics accept only real numbers with their country code (what
    SMS and the "call the clinic" links need); none of them stores "12" any more."""
    assert _error(
        api.post(
            "/api/auth/register",
            json={"email": "ana.phone@example.com", "password": PASSWORD, "full_name": "Ana", "phone": "12"},
        )
    )["fields"] == {"phone": "invalid_phone"}
    desk, admin = token_for(make_user("receptionist")), token_for(make_user("admin"))
    for number in ("55", "612 345 678", "+34 12"):
        assert _error(api.post("/api/patients", desk, json={"full_name": "Walk In", "phone": number}))["fields"] == {
            "phone": "invalid_phone"
        }, number
    assert _error(api.post("/api/clinics", admin, json={"name": "C", "timezone": "Europe/Madrid", "phone": "abc"}))[
        "fields"
    ] == {"phone": "invalid_phone"}

    walk_in = api.post("/api/patients", desk, json={"full_name": "Walk In", "phone": "+34 600 11 22 33"})
    assert walk_in.status_code == 201 and walk_in.get_json()["phone"] == "+34600112233"  # E.164, for SMS
    clinic = api.post(
        "/api/clinics", admin, json={"name": "C", "timezone": "Europe/Madrid", "phone": "+34 910 000 000"}
    )
    assert clinic.status_code == 201 and clinic.get_json()["phone"] == "+34 910 000 000"  # as the clinic writes it


def test_a_flag_must_be_a_boolean(api, make_user, token_for):
    admin, patient = token_for(make_user("admin")), make_user("patient")
    for value in ("no", 0, "false"):
        assert _error(api.patch(f"/api/users/{patient.id}", admin, json={"active": value}))["fields"] == {
            "active": "invalid_type"
        }, value


def test_a_range_ending_before_it_starts_blames_to(api, make_user, token_for):
    r = api.get("/api/appointments?from=2026-12-10&to=2026-12-01", token_for(make_user("receptionist")))
    assert _error(r)["fields"] == {"to": "before_start"}


def test_a_clinic_is_in_a_zone_browsers_can_show(api, make_user, token_for):
    """The host's `localtime`, `Factory` and POSIX-rule names are refused (the desk could not draw their times)."""
    admin = token_for(make_user("admin"))
    for zone in ("localtime", "Factory", "EST5EDT", "posixrules", "Mars/Olympus"):
        answer = api.post("/api/clinics", admin, json={"name": "C", "timezone": zone})
        assert answer.status_code == 422 and "timezone" in answer.get_json()["error"]["fields"], zone
    assert (
        api.post("/api/clinics", admin, json={"name": "C", "timezone": "America/Argentina/Buenos_Aires"}).status_code
        == 201
    )


def test_an_empty_phone_means_none(api, make_user, token_for):
    """ "" is no phone (a form's empty field), for the length limit as for the check: never a 500."""
    answer = api.post(
        "/api/auth/register",
        json={"email": "nophone@example.com", "password": PASSWORD, "full_name": "Sin Teléfono", "phone": ""},
    )
    assert answer.status_code == 201, answer.get_json()
    walk_in = api.post(
        "/api/patients", token_for(make_user("receptionist")), json={"full_name": "Walk In", "phone": ""}
    )
    assert walk_in.status_code == 201 and walk_in.get_json()["phone"] is None
    assert _error(
        api.post("/api/patients", token_for(make_user("receptionist")), json={"full_name": "W", "phone": "1" * 41})
    )["fields"] == {"phone": "too_long"}
