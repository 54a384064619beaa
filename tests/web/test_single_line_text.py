"""Single-line text fields refuse line breaks and other control characters (422 naming the field); multi-line
ones take line breaks and tabs but no other control character. Every text field of every request says which
it is, in the OpenAPI document too."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import PASSWORD

BREAKS = (
    "Ana\r\nBEGIN:VEVENT",
    "Ana\nPérez",
    "Ana\rPérez",
    "Ana\tPérez",
    "Ana\x1b[31m",
    "Ana\u2028Pérez",
    "Ana\x85Pérez",
    "Ana Pérez\n",
)
# Secrets are never shown anywhere (only hashed or verified), so they may hold any character.
SECRETS = {"password", "current_password", "new_password", "refresh_token", "token"}


@pytest.fixture()
def setup(api, make_user, token_for):
    admin = token_for(make_user("admin"))
    clinic = api.post("/api/clinics", admin, json={"name": "Clínica", "timezone": "Europe/Madrid"}).get_json()
    service = api.post("/api/services", admin, json={"name": "Consulta", "duration_minutes": 30}).get_json()
    doctor = api.post(
        "/api/doctors",
        admin,
        json={
            "email": f"d-{uuid.uuid4().hex[:8]}@example.com",
            "password": PASSWORD,
            "full_name": "Dra. Ruiz",
            "specialty": "Cardiología",
            "clinic_id": clinic["id"],
            "service_ids": [service["id"]],
        },
    ).get_json()
    return {
        "admin": admin,
        "patient": token_for(make_user("patient")),
        "clinic": clinic,
        "service": service,
        "doctor": doctor,
    }


def _requests(s):
    """(method, path, token, body builder, field) for every single-line text field a client can write."""
    new_email = lambda: f"n-{uuid.uuid4().hex[:8]}@example.com"  # noqa: E731
    c, sv, d = s["clinic"]["id"], s["service"]["id"], s["doctor"]["id"]
    return [
        (
            "POST",
            "/api/auth/register",
            None,
            lambda v: {"email": new_email(), "password": PASSWORD, "full_name": v},
            "full_name",
        ),
        (
            "POST",
            "/api/auth/register",
            None,
            lambda v: {"email": new_email(), "password": PASSWORD, "full_name": "Ana", "phone": v},
            "phone",
        ),
        ("PATCH", "/api/me", "patient", lambda v: {"full_name": v}, "full_name"),
        ("PATCH", "/api/me", "patient", lambda v: {"phone": v}, "phone"),
        (
            "POST",
            "/api/users",
            "admin",
            lambda v: {"email": new_email(), "password": PASSWORD, "full_name": v, "role": "patient"},
            "full_name",
        ),
        ("POST", "/api/clinics", "admin", lambda v: {"name": v, "timezone": "Europe/Madrid"}, "name"),
        (
            "POST",
            "/api/clinics",
            "admin",
            lambda v: {"name": "C", "timezone": "Europe/Madrid", "address": v},
            "address",
        ),
        ("PATCH", f"/api/clinics/{c}", "admin", lambda v: {"name": v}, "name"),
        ("PATCH", f"/api/clinics/{c}", "admin", lambda v: {"address": v}, "address"),
        ("POST", "/api/services", "admin", lambda v: {"name": v, "duration_minutes": 30}, "name"),
        ("PATCH", f"/api/services/{sv}", "admin", lambda v: {"name": v}, "name"),
        (
            "POST",
            "/api/doctors",
            "admin",
            lambda v: {
                "email": new_email(),
                "password": PASSWORD,
                "full_name": v,
                "specialty": "X",
                "clinic_id": c,
                "service_ids": [],
            },
            "full_name",
        ),
        (
            "POST",
            "/api/doctors",
            "admin",
            lambda v: {
                "email": new_email(),
                "password": PASSWORD,
                "full_name": "Dr",
                "specialty": v,
                "clinic_id": c,
                "service_ids": [],
            },
            "specialty",
        ),
        ("PATCH", f"/api/doctors/{d}", "admin", lambda v: {"specialty": v}, "specialty"),
    ]


@pytest.mark.parametrize("value", BREAKS, ids=[repr(v) for v in BREAKS])
def test_single_line_fields_refuse_control_characters_naming_the_field(api, setup, value):
    for method, path, who, body, field in _requests(setup):
        response = api.call(method, path, setup[who] if who else None, json=body(value))
        assert response.status_code == 422, (method, path, field, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "validation_error" and field in error["fields"], (method, path, error)


def test_clean_names_still_pass(api, setup):
    for method, path, who, body, field in _requests(setup):
        # Phones are checked as numbers (with the country code, clinic.sms.phones): a clean one, not a name.
        value = "+34 612 34 56 78" if field == "phone" else "Ana Pérez-Ñúñez, 3º"
        response = api.call(method, path, setup[who] if who else None, json=body(value))
        assert response.status_code in (200, 201), (method, path, field, response.get_json())


def test_search_terms_are_single_line_too(api, setup):
    response = api.get("/api/users", setup["admin"], query_string={"q": "ana\r\nx"})
    assert response.status_code == 422 and "q" in response.get_json()["error"]["fields"]


def test_multi_line_text_takes_line_breaks_but_no_other_control_character(api, setup):
    path = f"/api/doctors/{setup['doctor']['id']}/time-off"
    body = {"starts_at": "2031-03-03T09:00:00+01:00", "ends_at": "2031-03-03T10:00:00+01:00"}
    ok = api.post(path, setup["admin"], json={**body, "reason": "Congreso\r\n\tde cardiología"})
    assert ok.status_code == 201, ok.get_json()
    bad = api.post(path, setup["admin"], json={**body, "reason": "Congreso\x07"})
    assert bad.status_code == 422 and "reason" in bad.get_json()["error"]["fields"]


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _strings(document: dict, schema: dict, path: str):
    """(path, schema) of every string a request schema accepts, however nested."""
    schema = _resolve(document, schema)
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _strings(document, branch, path)
    if schema.get("type") == "string":
        yield path, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _strings(document, sub, name)
    if isinstance(schema.get("items"), dict):
        yield from _strings(document, schema["items"], path)


def test_every_request_text_field_is_declared_single_or_multi_line(client):
    """A new request field of free text must use `Line` (or `Text`) from web/schemas/common.py."""
    document = client.get("/api/openapi.json").get_json()
    loose = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            schemas = [(p["name"], p["schema"]) for p in operation.get("parameters", []) if p["in"] == "query"]
            for media in operation.get("requestBody", {}).get("content", {}).values():
                schemas.append(("body", media["schema"]))
            for name, schema in schemas:
                for field, string in _strings(document, schema, name):
                    if (
                        field in SECRETS
                        or "enum" in string
                        or "const" in string
                        or string.get("format") in ("email", "date", "date-time")
                    ):
                        continue
                    pattern = string.get("pattern")
                    if pattern is None or re.search(pattern, "a\x07b"):
                        loose.append(f"{method.upper()} {path} {field}")
    assert loose == []
