"""Every endpoint that takes a patient id (body, path or filter) answers 404 for an id that is not a patient's:
unknown, or an admin's, a doctor's or a receptionist's (issue 13, defect 12). Each endpoint is called by a role
that may use it, and a real patient's id gets through (so the 404 is about the id, nothing else)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from clinic.identity.models import User
from tests.scheduling.factories import add_appointment, future_day, make_doctor

UNKNOWN = 987_654_321
NOT_PATIENTS = ("unknown", "admin", "doctor", "receptionist")


@dataclass
class Cast:
    setup: object
    patient: User
    doctor: User  # the doctor's account; has an appointment with `patient`
    stranger: User  # a practising doctor without one (break-glass)
    desk: User
    admin: User


@pytest.fixture()
def cast(db, make_user) -> Cast:
    setup = make_doctor(db)
    patient = make_user("patient")
    add_appointment(db, setup, patient.id, setup.at(future_day(3), 9))
    return Cast(
        setup=setup,
        patient=patient,
        doctor=db.get(User, setup.doctor.user_id),
        stranger=db.get(User, make_doctor(db).doctor.user_id),  # practising, in another clinic
        desk=make_user("receptionist"),
        admin=make_user("admin"),
    )


def _id(cast: Cast, who: str) -> int:
    return {
        "unknown": UNKNOWN,
        "admin": cast.admin.id,
        "doctor": cast.doctor.id,
        "receptionist": cast.desk.id,
        "patient": cast.patient.id,
    }[who]


def _book(cast: Cast, pid: int) -> dict:
    return {
        "doctor_id": cast.setup.doctor.id,
        "service_id": cast.setup.service_id,
        "patient_id": pid,
        "starts_at": cast.setup.at(future_day(), 11).isoformat(),
    }


def _waitlist(cast: Cast, pid: int) -> dict:
    today = date.today()
    return {
        "service_id": cast.setup.service_id,
        "patient_id": pid,
        "from": str(today + timedelta(days=1)),
        "to": str(today + timedelta(days=10)),
    }


# name: (caller, method, path or body builder, status for a real patient)
ENDPOINTS = {
    "book (body)": ("desk", "POST", lambda c, pid: ("/api/appointments", _book(c, pid)), 201),
    "list appointments (filter)": ("desk", "GET", lambda c, pid: (f"/api/appointments?patient_id={pid}", None), 200),
    "slots (filter)": (
        "desk",
        "GET",
        lambda c, pid: (
            f"/api/doctors/{c.setup.doctor.id}/slots?service_id="
            f"{c.setup.service_id}&from={future_day()}&to={future_day()}"
            f"&patient_id={pid}",
            None,
        ),
        200,
    ),
    "join waitlist (body)": ("desk", "POST", lambda c, pid: ("/api/waitlist", _waitlist(c, pid)), 201),
    "late cancellations": ("desk", "GET", lambda c, pid: (f"/api/patients/{pid}/late-cancellations", None), 200),
    "read record": ("doctor", "GET", lambda c, pid: (f"/api/patients/{pid}/record", None), 200),
    "update record": ("doctor", "PATCH", lambda c, pid: (f"/api/patients/{pid}/record", {"allergies": ["látex"]}), 200),
    "add record entry": (
        "doctor",
        "POST",
        lambda c, pid: (f"/api/patients/{pid}/record/entries", {"text": "Bien."}),
        201,
    ),
    "record versions": ("doctor", "GET", lambda c, pid: (f"/api/patients/{pid}/record/versions", None), 200),
    "record audit": ("admin", "GET", lambda c, pid: (f"/api/patients/{pid}/record/audit", None), 200),
    "break the glass": (
        "stranger",
        "POST",
        lambda c, pid: (f"/api/patients/{pid}/record/break-glass", {"reason": "Urgencias: inconsciente"}),
        201,
    ),
}
CELLS = [(name, who) for name in ENDPOINTS for who in (*NOT_PATIENTS, "patient")]


@pytest.mark.parametrize("name,who", CELLS, ids=[f"{n}-{w}" for n, w in CELLS])
def test_an_id_that_is_not_a_patient_is_404(api, cast, token_for, name, who):
    caller, method, build, ok = ENDPOINTS[name]
    path, body = build(cast, _id(cast, who))
    r = api.call(method, path, token_for(getattr(cast, caller)), json=body)
    if who == "patient":
        assert r.status_code == ok, r.get_json()
        return
    assert r.status_code == 404, r.get_json()
    assert set(r.get_json()["error"]) == {"code", "message", "fields"}
    assert r.get_json()["error"]["code"] == "not_found"


def test_a_patient_may_name_only_themself(api, cast, token_for, make_user):
    token = token_for(cast.patient)
    other = make_user("patient")
    assert api.get(f"/api/patients/{cast.patient.id}/late-cancellations", token).status_code == 200
    assert api.get(f"/api/appointments?patient_id={cast.patient.id}", token).status_code == 200
    assert api.get(f"/api/patients/{other.id}/late-cancellations", token).status_code == 404
    assert api.get(f"/api/appointments?patient_id={other.id}", token).status_code == 404
    day = future_day()
    slots = f"/api/doctors/{cast.setup.doctor.id}/slots?service_id={cast.setup.service_id}&from={day}&to={day}"
    assert api.get(f"{slots}&patient_id={cast.patient.id}", token).status_code == 200
    assert api.get(f"{slots}&patient_id={other.id}", token).status_code == 404


def test_ids_beyond_bigint_in_the_path_are_404_not_5xx(api, cast, token_for):
    assert api.get(f"/api/patients/{2**64}/late-cancellations", token_for(cast.desk)).status_code == 404
