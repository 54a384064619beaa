"""Schemathesis against the real web process: the server must do what its OpenAPI document says.

A bounded, deterministic run (a few examples per operation and phase) of every operation the document lists, so it covers
endpoints added later without a change here, for four callers: anonymous, a patient, a doctor and an admin.
The real gunicorn `web` process of the Procfile serves the test database, with real data behind the ids in
paths (a clinic, a service, a doctor with hours, a patient with a booked appointment), so requests reach the
views' own logic rather than stopping at a 404.

Checks: all of Schemathesis' checks, response-schema conformance included, with one setting changed:
`positive_data_acceptance` also accepts 422, because some rules cannot be written in JSON Schema (the
password policy's strength estimate, that an IANA zone exists, that `to` is not before `from`, that a
range is at most 62 days, that an instant is in the future): a schema-valid request may still break one of
them, and 422 is the documented answer; and the two operations that take an emailed token accept 400,
the contract's answer for a wrong, used or expired one. Any 5xx, undocumented status, body that does not match its
schema, accepted invalid input, wrong 405, or ignored authentication fails the test.

Phases: examples, coverage (boundary values of every parameter), fuzzing and stateful. The anonymous caller
skips coverage: on all but the few public operations its boundary values would only meet the 401.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from clinic.db import make_session_factory
from clinic.identity import service as accounts
from clinic.unit_of_work import UnitOfWork
from tests.conftest import PASSWORD, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.database import empty_tables
from tests.support.processes import ROOT, VENV_BIN, ProcfileProcesses

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-artifacts" / "schemathesis"  # each caller's full report
# The admin goes last: its run may deactivate the doctor or retire the service the others use.
CALLERS = ("anonymous", "patient", "doctor", "admin")
MAX_EXAMPLES = 5  # per operation and phase
RUN_TIMEOUT = 240  # seconds, per caller (pytest.ini allows 300); a run takes under a minute on two cores
# Signing out revokes the very token the run uses; anonymous callers still exercise these operations (401).
SIGN_OUT = r"^/api/auth/logout"
# A signed-in caller's live stream never ends (tests/events covers it); anonymous callers get its 401.
STREAM = r"^/api/events$"

CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# An emailed token that is wrong, used or expired is a 400 (the contract's answer), whatever its shape.
[[operations]]
include-path-regex = "^/api/auth/(password-reset/confirm|verify-email)$"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422"]
"""
# Path ids are drawn from the real ones most of the time (dictionaries keep the invalid-data cases honest,
# where a fixed override would turn an invalid id into a valid one behind Schemathesis' back).
ID_DICTIONARY = """
[dictionaries.{name}]
values = [{value}]
"""
ID_PARAMETER = '"path.{name}" = {{ dictionary = "{name}", probability = 0.8 }}\n'


def _config(ids: dict[str, int]) -> str:
    dictionaries = "".join(ID_DICTIONARY.format(name=name, value=value) for name, value in ids.items())
    parameters = "".join(ID_PARAMETER.format(name=name) for name in ids)
    return CONFIG + dictionaries + "\n[parameters]\n" + parameters


@pytest.fixture(scope="module")
def web(engine, tmp_path_factory):
    env = {
        "APP_ENV": "development",
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "JWT_SECRET_KEY": "schemathesis-" + uuid.uuid4().hex * 2,
        "FRONTEND_ORIGIN": "http://localhost:5173",
        "RESEND_API_KEY": "re_test",
        "EMAIL_FROM": "Clínica <citas@example.com>",
        "RESEND_API_URL": "http://127.0.0.1:9",
        "RATELIMIT_ENABLED": "0",
        "BCRYPT_ROUNDS": "4",
    }
    try:
        with ProcfileProcesses(["web"], env, tmp_path_factory.mktemp("schemathesis-web")) as system:
            yield system
            log = system.log("web")
        assert "Traceback" not in log, log[-3000:]
    finally:
        empty_tables(TEST_DATABASE_URL)


class World:
    """The data behind the ids, and a token per caller; made through the real API as people would."""

    def __init__(self, web: ProcfileProcesses, engine):
        self.web = web
        self.tokens: dict[str, str | None] = {"anonymous": None}
        tag = uuid.uuid4().hex[:8]
        with UnitOfWork(make_session_factory(engine)) as uow:
            session = uow.session
            accounts.create_user(
                session,
                email=f"admin-{tag}@example.com",
                password=PASSWORD,
                full_name="Admin Schemathesis",
                role="admin",
            )
        self.tokens["admin"] = self._login(f"admin-{tag}@example.com")
        clinic = self._ok("POST", "/api/clinics", {"name": "Clínica Fuzz", "timezone": "Europe/Madrid"})
        service = self._ok("POST", "/api/services", {"name": "Consulta", "duration_minutes": 30})
        doctor = self._ok(
            "POST",
            "/api/doctors",
            {
                "email": f"doctor-{tag}@example.com",
                "password": PASSWORD,
                "full_name": "Dra. Fuzz",
                "specialty": "Cardiología",
                "clinic_id": clinic["id"],
                "service_ids": [service["id"]],
            },
        )
        self._ok(
            "PUT",
            f"/api/doctors/{doctor['id']}/working-hours",
            [{"weekday": day, "start": "08:00", "end": "20:00"} for day in range(7)],
        )
        patient = self._ok(
            "POST",
            "/api/auth/register",
            {"email": f"patient-{tag}@example.com", "password": PASSWORD, "full_name": "Paciente Fuzz"},
        )
        self.tokens["patient"] = patient["access_token"]
        self.tokens["doctor"] = self._login(f"doctor-{tag}@example.com")
        day = (date.today() + timedelta(days=5)).isoformat()
        slots = self._ok(
            "GET",
            f"/api/doctors/{doctor['id']}/slots?service_id={service['id']}&from={day}&to={day}",
            token=self.tokens["patient"],
        )
        appointment = self._ok(
            "POST",
            "/api/appointments",
            {"doctor_id": doctor["id"], "service_id": service["id"], "starts_at": slots["slots"][0]["starts_at"]},
            token=self.tokens["patient"],
        )
        self.ids = {
            "clinic_id": clinic["id"],
            "service_id": service["id"],
            "doctor_id": doctor["id"],
            "patient_id": patient["user"]["id"],
            "appointment_id": appointment["id"],
        }

    def _login(self, email: str) -> str:
        return self._ok("POST", "/api/auth/login", {"email": email, "password": PASSWORD})["access_token"]

    def _ok(self, method: str, path: str, body=None, token: str | None = None):
        status, answer = self.web.call(method, path, token or self.tokens.get("admin"), body=body)
        assert 200 <= status < 300, (method, path, status, answer)
        return answer


@pytest.fixture(scope="module")
def world(web, engine) -> World:
    return World(web, engine)


def _command(world: World, caller: str, config: Path, report: Path) -> list[str]:
    # Health checks judge the data generation's own speed (hypothesis filtering), not the server: off, so a
    # loaded CI machine cannot fail the run for that. One worker: with two threads, Hypothesis' lambda
    # descriptions (ast parsing) sometimes fail with "AST constructor recursion depth mismatch".
    command = [
        str(VENV_BIN / "st"),
        "--config-file",
        str(config),
        "run",
        world.web.base + "/api/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--workers",
        "1",
        "--no-color",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    if world.tokens[caller]:
        command += [
            "--header",
            f"Authorization: Bearer {world.tokens[caller]}",
            "--exclude-path-regex",
            SIGN_OUT,
            "--exclude-path-regex",
            STREAM,
        ]
    else:  # the coverage phase's boundary values would meet the 401 before any validation, save on public views
        command += ["--phases", "examples,fuzzing,stateful"]
    return command


@pytest.mark.parametrize("caller", CALLERS)
def test_the_server_does_what_its_openapi_document_says(world, caller, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(world.ids))
    result = subprocess.run(
        _command(world, caller, config, tmp_path / "junit.xml"),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    output = result.stdout + result.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{caller}.txt").write_text(output)
    summary = output[output.rfind("=== FAILURES ===") :] if "=== FAILURES ===" in output else output[-6000:]
    assert result.returncode == 0, f"{caller}: Schemathesis found problems\n{summary[:20000]}"
    assert re.search(r"Tested: \d+", output), output[-3000:]
