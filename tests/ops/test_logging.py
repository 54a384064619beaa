"""Access log: one JSON line per request with a request id, the route template, never personal data."""

from __future__ import annotations

import json
import logging

import pytest

from clinic.logs import JsonFormatter


@pytest.fixture()
def access_lines(app):
    """Formatted JSON lines the access logger writes during the test."""
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(JsonFormatter().format(record))

    handler = Capture()
    logger = logging.getLogger("web.access")
    logger.addHandler(handler)
    old_level, app.config["ACCESS_LOG"] = logger.level, True
    logger.setLevel(logging.INFO)
    yield lines
    app.config["ACCESS_LOG"] = False
    logger.setLevel(old_level)
    logger.removeHandler(handler)


def test_each_request_logs_one_json_line_with_request_id_and_route_template(api, access_lines, make_user, token_for):
    user = make_user("patient", email="lucia.private@example.com")
    token = token_for(user)
    access_lines.clear()
    response = api.get("/api/me", token, headers={"X-Request-ID": "req-abc-123"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-abc-123"
    (line,) = access_lines
    entry = json.loads(line)
    assert entry["request_id"] == "req-abc-123"
    assert entry["route"] == "/api/me" and entry["method"] == "GET" and entry["status"] == 200
    assert isinstance(entry["ms"], float)


def test_a_request_without_an_id_gets_a_fresh_one(api, access_lines):
    first = api.get("/api/health").headers["X-Request-ID"]
    second = api.get("/api/health").headers["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert [json.loads(x)["request_id"] for x in access_lines] == [first, second]


def test_an_oversized_or_unprintable_request_id_is_replaced(api, access_lines):
    for bad in ("x" * 65, "a\u0007b"):
        assert api.get("/api/health", headers={"X-Request-ID": bad}).headers["X-Request-ID"] != bad
    assert all(len(json.loads(x)["request_id"]) == 32 for x in access_lines)


def test_no_personal_data_or_path_secrets_in_the_log(app, api, access_lines, make_user, token_for):
    email, password = "maria.secret@example.com", "Very-Private-Pass-77"
    api.post("/api/auth/register", json={"email": email, "password": password, "full_name": "María Secreta"})
    api.post("/api/auth/login", json={"email": email, "password": "wrong-password-1"})
    patient = make_user("patient")
    token = token_for(patient)
    calendar_token = "calTok3n-very-secret-0123456789"
    api.get(f"/api/calendar/{calendar_token}.ics")
    api.get("/api/appointments/987654321", token)
    api.get(f"/api/patients/{patient.id}/record", token)
    text = "\n".join(access_lines)
    for secret in (email, password, "María", calendar_token, "987654321", token, patient.email):
        assert secret not in text
    routes = {json.loads(x)["route"] for x in access_lines}
    assert "/api/auth/register" in routes
    templates = {rule.rule for rule in app.url_map.iter_rules()} | {"<unmatched>"}
    assert routes <= templates, "the access log must name route templates, never raw paths"


def test_any_library_s_email_address_is_redacted_from_the_line():
    """The safety net under every process's log handler: whatever logger, message, argument or exception."""
    try:
        raise ValueError("duplicate key (lower(email))=(Ana.Private+x@Mail.Example.org)")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "some.library",
            logging.ERROR,
            __file__,
            1,
            "sent to %s and %s",
            ("pa@example.com", "o'hara@sub.example.co.uk"),
            sys.exc_info(),
        )
    line = JsonFormatter().format(record)
    for address in ("Ana.Private+x@Mail.Example.org", "pa@example.com", "o'hara@sub.example.co.uk", "example.com"):
        assert address not in line
    assert line.count("<email>") >= 3 and json.loads(line)["logger"] == "some.library"


def test_rate_limit_keys_name_no_one(app):
    """The limiter writes its keys into Redis and into its log lines: no address, no IP."""
    from web.ratelimit_keys import account_key, client_key

    with app.test_request_context(
        "/api/auth/login",
        method="POST",
        json={"email": " Pa@Example.com "},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    ):
        key, ip_key = account_key(), client_key()
    with app.test_request_context("/api/auth/login", method="POST", json={"email": "pa@example.com"}):
        assert account_key() == key  # the same account, however typed
    assert key.startswith("account:") and len(key) == len("account:") + 32 and "@" not in key
    assert ip_key.startswith("ip:") and "203.0.113" not in ip_key
