"""The real Procfile `web` process (gunicorn) against the test database: health, readiness, auth, clean logs."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.processes import ProcfileProcesses

pytestmark = pytest.mark.e2e

PRODUCTION_ENV = {
    "APP_ENV": "production",
    "DATABASE_URL": TEST_DATABASE_URL,
    "REDIS_URL": TEST_REDIS_URL,
    "JWT_SECRET_KEY": "e2e-" + uuid.uuid4().hex * 2,
    "FRONTEND_ORIGIN": "https://app.example.com",
    "RESEND_API_KEY": "re_e2e",
    "EMAIL_FROM": "Clinic <c@example.com>",
    "RESEND_API_URL": "http://127.0.0.1:9",
    "BCRYPT_ROUNDS": "4",
    "RATELIMIT_ENABLED": "0",
}


@pytest.fixture(scope="module")
def web(engine, tmp_path_factory):
    with ProcfileProcesses(["web"], PRODUCTION_ENV, tmp_path_factory.mktemp("web")) as system:
        yield system


@pytest.fixture()
def account():
    email = f"ops-e2e-{uuid.uuid4().hex[:10]}@example.com"
    yield email
    with psycopg.connect(TEST_DATABASE_URL) as conn:
        conn.execute("DELETE FROM users WHERE email = %s", (email,))


def test_health_and_readiness(web):
    assert web.call("GET", "/api/health") == (200, {"status": "ok"})
    status, body = web.call("GET", "/api/ready")
    assert status == 200 and body["status"] == "ok"


def test_register_login_me_refresh_logout_through_gunicorn(web, account):
    password = "Correct-Horse-9"
    status, reg = web.call(
        "POST", "/api/auth/register", body={"email": account, "password": password, "full_name": "Ana E2E"}
    )
    assert status == 201 and reg["user"]["role"] == "patient"
    status, login = web.call("POST", "/api/auth/login", body={"email": account, "password": password})
    assert status == 200
    status, me = web.call("GET", "/api/me", login["access_token"])
    assert status == 200 and me["email"] == account
    status, pair = web.call("POST", "/api/auth/refresh", login["refresh_token"])
    assert status == 200
    assert web.call("POST", "/api/auth/refresh", login["refresh_token"])[0] == 401  # rotated out: a reuse
    assert web.call("GET", "/api/me", pair["access_token"])[0] == 401  # which ended that whole sign-in
    status, login = web.call("POST", "/api/auth/login", body={"email": account, "password": password})
    status, _ = web.call(
        "POST", "/api/auth/logout", login["access_token"], body={"refresh_token": login["refresh_token"]}
    )
    assert status == 204
    assert web.call("GET", "/api/me", login["access_token"])[0] == 401
    assert web.call("GET", "/api/no-such-route")[0] == 404
    assert web.call("POST", "/api/auth/login", body={"email": account, "password": "wrong-password-1"})[0] == 401


def test_the_web_log_has_json_request_lines_no_traceback_no_5xx_and_no_personal_data(web, account):
    web.call("POST", "/api/auth/register", body={"email": account, "password": "Correct-Horse-9", "full_name": "Zoë"})
    web.call("GET", "/api/calendar/e2eSecretCalendarToken42.ics")
    web.call("GET", "/api/health", headers={"X-Request-ID": "e2e-req-1"})
    log = web.log("web")
    assert "Traceback" not in log
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [e for e in entries if e.get("logger") == "web.access"]
    assert any(e["request_id"] == "e2e-req-1" and e["route"] == "/api/health" for e in requests)
    assert requests and all(e["request_id"] and e["route"] for e in requests)
    assert not [e for e in requests if e["status"] >= 500]
    assert not [e for e in entries if e["level"] in ("ERROR", "CRITICAL")]
    for secret in (account, "Zoë", "Correct-Horse-9", "e2eSecretCalendarToken42"):
        assert secret not in log
