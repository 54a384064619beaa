"""The OpenAPI document describes what the server does, and the server does what the document says.

Schemathesis checks the two against each other broadly (tests/web/test_schemathesis.py); these pin the
defects it found, one by one, on the in-process app.
"""

from __future__ import annotations

import pytest

from web.schemas.common import BIGINT_MAX

BAD_IDS = ("-1", "0", "-9223372036854775808", str(BIGINT_MAX + 1), "99999999999999999999999")


@pytest.fixture()
def document(client) -> dict:
    return client.get("/api/openapi.json").get_json()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_error_answer_is_declared_with_the_contracts_error_object(document):
    error_refs = set()
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400 and (method, path, status) != ("get", "/api/ready", "503"):
                error_refs.add(response["content"]["application/json"]["schema"]["$ref"])
    assert len(error_refs) == 1
    error = document["components"]["schemas"][error_refs.pop().rsplit("/", 1)[1]]
    assert error["required"] == ["error"] and error["type"] == "object"
    assert not [name for name in document["components"]["schemas"] if name.startswith("ValidationError")]


def test_every_operation_declares_the_answers_of_the_machinery_around_it(document, app):
    for path, method, operation in _operations(document):
        statuses = set(operation["responses"])
        public = operation["security"] == []
        assert "401" in statuses or public, (method, path)
        assert "429" in statuses and (path == "/api/health" or "503" in statuses), (method, path)
        assert "404" in statuses or "{" not in path, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= statuses, (method, path)
    roles = {op["operationId"]: op for _, _, op in _operations(document)}
    assert "403" in roles["post__api_clinics"]["responses"] and "403" not in roles["get__api_me"]["responses"]


def test_security_requirements_follow_the_access_declarations(document):
    ops = {(m, p): op for p, m, op in _operations(document)}
    assert ops[("post", "/api/auth/login")]["security"] == []
    assert ops[("get", "/api/health")]["security"] == []
    assert ops[("post", "/api/auth/refresh")]["security"] == [{"bearer": []}, {"refresh_cookie": []}]
    assert ops[("get", "/api/me")]["security"] == [{"bearer": []}, {"cookie": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer" and schemes["cookie"]["in"] == "cookie"


def test_the_document_states_the_limits_the_server_enforces(document):
    schemas = document["components"]["schemas"]
    ops = {(m, p): op for p, m, op in _operations(document)}
    for _path, _method, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"]["type"] == "integer":
                assert parameter["schema"]["minimum"] == 1 and parameter["schema"]["maximum"] == BIGINT_MAX
    register = next(s for name, s in schemas.items() if name.startswith("RegisterIn"))
    assert register["properties"]["password"]["minLength"] == 8
    assert register["properties"]["password"]["maxLength"] == 72
    slots = {p["name"]: p["schema"] for p in ops[("get", "/api/doctors/{doctor_id}/slots")]["parameters"]}
    assert slots["from"]["format"] == "date" and slots["from"]["pattern"].startswith("^(19")
    book = next(s for name, s in schemas.items() if name.startswith("BookIn"))
    assert book["properties"]["starts_at"]["format"] == "date-time" and "pattern" in book["properties"]["starts_at"]
    assert book["properties"]["doctor_id"]["minimum"] == 1
    clinic_patch = next(s for name, s in schemas.items() if name.startswith("ClinicPatch"))
    assert clinic_patch["minProperties"] == 1
    assert ops[("patch", "/api/me")]["requestBody"]["required"] is True
    assert ops[("post", "/api/appointments/{appointment_id}/cancel")]["requestBody"]["required"] is False


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_ids_outside_the_range_name_no_resource_whatever_the_method(api, make_user, token_for, bad_id):
    admin = token_for(make_user("admin"))
    for method, path in (
        ("GET", "/api/doctors/{}"),
        ("PATCH", "/api/doctors/{}"),
        ("PATCH", "/api/clinics/{}"),
        ("POST", "/api/appointments/{}/cancel"),
        ("DELETE", "/api/waitlist/{}"),
        ("DELETE", "/api/doctors/{}/time-off/1"),
        ("PUT", "/api/doctors/{}/working-hours"),
    ):
        response = api.call(method, path.format(bad_id), admin, json={"active": True} if method != "GET" else None)
        assert response.status_code == 404, (method, path, bad_id, response.status_code)
        assert response.get_json()["error"]["code"] == "not_found"


def test_a_method_the_path_does_not_have_is_405_with_allow(api, make_user, token_for):
    response = api.call("DELETE", "/api/me", token_for(make_user("patient")))
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert {"GET", "PATCH"} <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("body", [None, [], {}, 0, "x", False], ids=["none", "list", "empty", "zero", "str", "false"])
def test_a_patch_must_name_a_change(api, make_user, token_for, body):
    token = token_for(make_user("patient"))
    if body is None:
        response = api.client.patch("/api/me", headers={"Authorization": f"Bearer {token}"})
    else:
        response = api.patch("/api/me", token, json=body)
    assert response.status_code == 422, response.get_json()
    assert "body" in response.get_json()["error"]["fields"]


def test_an_array_body_is_not_read_as_an_empty_object(api, make_user, token_for):
    admin = token_for(make_user("admin"))
    clinic = api.post("/api/clinics", admin, json={"name": "C", "timezone": "Europe/Madrid"}).get_json()
    assert api.patch(f"/api/clinics/{clinic['id']}", admin, json=[]).status_code == 422
    assert api.post("/api/services", admin, json=[]).status_code == 422


def test_weekly_hours_must_be_an_array_and_may_be_empty(api, make_user, token_for):
    admin = token_for(make_user("admin"))
    clinic = api.post("/api/clinics", admin, json={"name": "C", "timezone": "Europe/Madrid"}).get_json()
    doctor = api.post(
        "/api/doctors",
        admin,
        json={
            "email": "wh@example.com",
            "password": "Correct-Horse-9",
            "full_name": "Dr",
            "specialty": "X",
            "clinic_id": clinic["id"],
            "service_ids": [],
        },
    ).get_json()
    path = f"/api/doctors/{doctor['id']}/working-hours"
    assert api.put(path, admin, json={}).status_code == 422
    assert api.client.put(path, headers={"Authorization": f"Bearer {admin}"}).status_code == 422
    assert api.put(path, admin, json=[]).get_json() == []


def test_json_integers_are_what_json_schema_calls_integers(api, make_user, token_for):
    admin = token_for(make_user("admin"))
    assert api.post("/api/services", admin, json={"name": "A", "duration_minutes": 30.0}).status_code == 201
    for bad in ("30", True, 30.5):
        response = api.post("/api/services", admin, json={"name": "B", "duration_minutes": bad})
        assert response.status_code == 422 and "duration_minutes" in response.get_json()["error"]["fields"], bad


def test_instants_are_text(api, make_user, token_for):
    admin = token_for(make_user("admin"))
    clinic = api.post("/api/clinics", admin, json={"name": "C", "timezone": "Europe/Madrid"}).get_json()
    doctor = api.post(
        "/api/doctors",
        admin,
        json={
            "email": "ti@example.com",
            "password": "Correct-Horse-9",
            "full_name": "Dr",
            "specialty": "X",
            "clinic_id": clinic["id"],
            "service_ids": [],
        },
    ).get_json()
    response = api.post(
        f"/api/doctors/{doctor['id']}/time-off",
        admin,
        json={"starts_at": 1900000000, "ends_at": "2031-03-03T10:00:00+01:00"},
    )
    assert response.status_code == 422 and "starts_at" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE", "POST"])
def test_an_api_url_no_api_rule_matches_is_404_whatever_the_method(client, method):
    for path in ("/api/doctors/abc", "/api/waitlist/1.5", "/api/no-such-thing", "/api"):
        response = client.open(path, method=method)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", (method, path)


def test_allow_lists_only_the_methods_the_document_declares(client, document):
    for path in ("/api/auth/login", "/api/appointments/1/cancel", "/api/me"):
        allowed = {m.strip().lower() for m in client.options(path).headers["Allow"].split(",")} - {"options", "head"}
        declared = set(document["paths"][path.replace("/1/", "/{appointment_id}/")])
        assert allowed == declared, path


def test_the_frontend_still_serves_its_routes_but_never_an_api_url(tmp_path):
    from flask import Flask

    from web.frontend import blueprint

    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>")
    app = Flask(__name__)
    app.register_blueprint(blueprint(tmp_path))
    client = app.test_client()
    for path in ("/", "/login", "/appointments/12", "/apiary", "/apis/x"):
        response = client.get(path)
        assert response.status_code == 200 and b"<title>app</title>" in response.data, path
    for path in ("/api", "/api/", "/api/x", "/api/doctors/abc"):
        assert client.get(path).status_code == 404, path
        assert client.patch(path).status_code == 404, path  # no rule at all: never a 405
