"""Sentry: on only with SENTRY_DSN, and then without personal data, local variables or request bodies.

Each case runs in a subprocess (Sentry's integrations patch Flask and Dramatiq process-wide) with a
recording transport, so nothing leaves the machine.
"""

from __future__ import annotations

import json

from tests.ops.conftest import VENV_BIN, process_env, run

DSN = "https://public@sentry.invalid/1"

PROBE = r"""
import json, sys
import sentry_sdk
from sentry_sdk.transport import Transport

events = []

class Recording(Transport):
    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type in ("event", "transaction"):
                events.append(item.payload.json)

def record():
    client = sentry_sdk.get_client()
    if client.is_active():
        client.transport = Recording(client.options)
    return client

target = sys.argv[1]
if target == "web":
    from web import create_app
    from web.access import PUBLIC, access
    app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.post("/api/ops-probe/<token>.ics")
    @access(PUBLIC)
    def probe(token):
        patient_email = "ana.secret@example.com"  # a local variable that must not be sent
        raise RuntimeError("probe failure")

    client = record()
    response = app.test_client().post("/api/ops-probe/calTok3n-secret-0123.ics?email=ana.query@example.com",
                                      json={"diagnosis": "very private"},
                                      headers={"Authorization": "Bearer secret-token", "Cookie": "access_token_cookie=c"},
                                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    status = response.status_code
elif target == "scheduler":
    from scheduler.__main__ import main
    status = main(["--once"])
    client = record()
else:
    from workers.main import boot
    boot()  # configures the broker and, with a DSN, Sentry
    client = record()
    def failing(patient_email):
        raise RuntimeError("probe failure")
    try:
        failing("ana.secret@example.com")
    except RuntimeError:
        sentry_sdk.capture_exception()
    status = None
sentry_sdk.flush(2)
print(json.dumps({"active": client.is_active(), "options": {k: client.options.get(k) for k in
      ("send_default_pii", "include_local_variables", "max_request_body_size")} if client.is_active() else None,
      "status": status, "events": events}, default=str))
"""


def probe(target: str, dsn: str | None) -> dict:
    result = run([str(VENV_BIN / "python"), "-c", PROBE, target], process_env(SENTRY_DSN=dsn, APP_ENV="test"))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sentry_stays_off_without_a_dsn(migrated_db):
    for target in ("web", "worker", "scheduler"):
        out = probe(target, None)
        assert out["active"] is False and out["events"] == []


def test_web_reports_errors_without_personal_data_locals_or_bodies():
    out = probe("web", DSN)
    assert out["active"] is True
    assert out["options"] == {
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
    }
    assert out["status"] == 500
    assert out["events"], "the unhandled error reached no transport"
    text = json.dumps(out["events"])
    for secret in ("ana.secret@example.com", "very private", "secret-token", "203.0.113.9", "access_token_cookie"):
        assert secret not in text
    assert all(e["request"].get("data") in (None, "", {}) for e in out["events"] if "request" in e)
    frames = [
        f
        for e in out["events"]
        for v in (e.get("exception") or {}).get("values", [])
        for f in (v.get("stacktrace") or {}).get("frames", [])
    ]
    assert frames and not any("vars" in f for f in frames)


def test_worker_reports_errors_without_local_variables():
    out = probe("worker", DSN)
    assert out["active"] is True
    assert out["options"]["send_default_pii"] is False and out["options"]["include_local_variables"] is False
    (event,) = out["events"]
    assert "ana.secret@example.com" not in json.dumps(event)


def test_web_events_carry_neither_query_strings_nor_raw_paths():
    """Paths hold secrets (calendar subscription tokens) and query strings may hold personal data: Sentry
    should see the route template only, as the access log does."""
    text = json.dumps(probe("web", DSN)["events"])
    assert "calTok3n-secret-0123" not in text
    assert "ana.query@example.com" not in text


def test_scheduler_runs_with_sentry_on(migrated_db):
    out = probe("scheduler", DSN)
    assert out["status"] == 0
    assert out["active"] is True and out["options"]["send_default_pii"] is False
