"""Cross-cutting HTTP behaviour: errors, access control, CORS, headers, readiness, rate limits."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, make_settings


def test_unknown_route_is_a_json_404(api):
    r = api.get("/api/does-not-exist")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"


def test_malformed_json_is_400(api):
    r = api.client.post("/api/auth/login", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "malformed_json"


def test_missing_and_unknown_fields_are_422_with_field_messages(api):
    r = api.post("/api/auth/login", json={"email": "a@example.com", "pasword": "x"})
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert fields["password"] == "required" and fields["pasword"] == "not_accepted"


def test_every_api_endpoint_declares_who_may_call_it(app):
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and not rule.endpoint.startswith("openapi_")
        and getattr(app.view_functions[rule.endpoint], "access", None) is None
    ]
    assert undeclared == []


def test_roles_are_checked(api, make_user, token_for):
    patient = token_for(make_user("patient"))
    body = {"email": "x@example.com", "password": PASSWORD, "full_name": "X", "role": "receptionist"}
    assert api.post("/api/users", patient, json=body).status_code == 403
    assert api.post("/api/users", None, json=body).status_code == 401
    admin = token_for(make_user("admin"))
    r = api.post("/api/users", admin, json=body)
    assert r.status_code == 201 and r.get_json()["role"] == "receptionist"


def test_staff_can_search_patients_but_patients_cannot(api, make_user, token_for):
    make_user("patient", full_name="Zoe Buscable")
    assert api.get("/api/users?q=buscable", token_for(make_user("patient"))).status_code == 403
    r = api.get("/api/users?q=buscable&role=patient", token_for(make_user("receptionist")))
    assert r.status_code == 200 and [u["full_name"] for u in r.get_json()["items"]] == ["Zoe Buscable"]


def test_cors_allows_only_the_frontend_origin(client):
    ok = client.options(
        "/api/auth/login", headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"}
    )
    assert ok.headers.get("Access-Control-Allow-Origin") == "http://localhost:5173"
    bad = client.options(
        "/api/auth/login", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in bad.headers


def test_security_headers(client):
    r = client.get("/api/health")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    assert "max-age" in r.headers["Strict-Transport-Security"]
    assert r.headers["Referrer-Policy"]
    assert r.headers["X-Request-ID"]


def test_openapi_document_is_served(api):
    r = api.get("/api/openapi.json")
    assert r.status_code == 200
    assert "/api/auth/login" in r.get_json()["paths"]


def test_health_and_ready(api):
    assert api.get("/api/health").get_json() == {"status": "ok"}
    assert api.get("/api/ready").status_code == 200


@pytest.mark.allow_5xx
def test_ready_is_503_when_redis_is_unreachable(app, api, monkeypatch):
    import redis

    monkeypatch.setitem(app.extensions, "redis", redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    r = api.get("/api/ready")
    assert r.status_code == 503 and r.get_json()["checks"] == {"postgres": True, "redis": False}


@pytest.mark.allow_5xx
def test_ready_is_503_when_postgres_is_unreachable(app, api, monkeypatch):
    from clinic.db import make_engine, make_session_factory

    dead = make_session_factory(
        make_engine("postgresql://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    )
    monkeypatch.setitem(app.extensions, "db_sessionmaker", dead)
    monkeypatch.setitem(app.extensions, "db_autocommit_sessionmaker", dead)
    r = api.get("/api/ready")
    assert r.status_code == 503 and r.get_json()["checks"]["postgres"] is False


def test_login_is_rate_limited_per_ip_and_per_account(engine, redis_client, request):
    from web import create_app
    from web.extensions import limiter

    redis_client.flushdb()
    app = create_app(
        {"SETTINGS": make_settings(RATELIMIT_ENABLED="1", RATELIMIT_AUTH="3 per minute"), "ACCESS_LOG": False}
    )
    request.addfinalizer(lambda: setattr(limiter, "enabled", False))
    client = app.test_client()
    body = {"email": "someone@example.com", "password": "Wrong-Password-1"}
    codes = [
        client.post("/api/auth/login", json=body, environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]  # per account, whatever the address
    blocked = client.post("/api/auth/login", json=body, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) > 0
    other = [
        client.post(
            "/api/auth/login",
            json={"email": f"u{i}@example.com", "password": "x"},
            environ_base={"REMOTE_ADDR": "10.9.9.9"},
        ).status_code
        for i in range(4)
    ]
    assert other[-1] == 429  # per address, whatever the account
    redis_client.flushdb()


def test_cors_headers_on_cross_origin_calls_and_none_without_an_origin(client):
    allowed = client.get("/api/health", headers={"Origin": "http://localhost:5173"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "http://localhost:5173"
    assert allowed.headers.get("Access-Control-Allow-Credentials") == "true"
    assert "X-Request-ID" in allowed.headers.get("Access-Control-Expose-Headers", "")
    assert not [h for h in client.get("/api/health").headers.keys() if h.startswith("Access-Control-")]
