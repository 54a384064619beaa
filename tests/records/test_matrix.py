"""Role × endpoint × ownership: the expected status of every cell, and exactly one audit row per request.

The target is always the record of `cast.patient`. Anonymous requests are refused at the edge (401) before
anyone is identified, so they leave no audit row (the JSON access log keeps them); every identified request,
allowed or denied, leaves exactly one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.records import access, audit
from clinic.records.access import Outcome, Relation
from clinic.records.models import RecordAudit

ACTORS = ("self", "other_patient", "treating_doctor", "unrelated_doctor", "receptionist", "admin", "anonymous")

# endpoint: (method, path suffix, body, audited action)
ENDPOINTS = {
    "read": ("GET", "", None, audit.READ),
    "update": ("PATCH", "", {"allergies": ["látex"]}, audit.UPDATE),
    "add_entry": ("POST", "/entries", {"text": "Exploración normal."}, audit.ADD_ENTRY),
    "versions": ("GET", "/versions", None, audit.VERSIONS),
    "audit": ("GET", "/audit", None, audit.AUDIT),
    "break_glass": ("POST", "/break-glass", {"reason": "Urgencias: paciente inconsciente"}, audit.BREAK_GLASS),
}

EXPECTED = {
    #               self  other treat unrel recep admin anon
    "read": (200, 404, 200, 404, 404, 404, 401),
    "update": (403, 404, 200, 404, 404, 404, 401),
    "add_entry": (403, 404, 201, 404, 404, 404, 401),
    "versions": (200, 404, 200, 404, 404, 404, 401),
    "audit": (200, 404, 403, 404, 404, 200, 401),
    "break_glass": (403, 404, 409, 201, 404, 404, 401),
}

CELLS = [(endpoint, actor, EXPECTED[endpoint][i]) for endpoint in ENDPOINTS for i, actor in enumerate(ACTORS)]


def _user(cast, actor):
    return {
        "self": cast.patient,
        "other_patient": cast.other_patient,
        "treating_doctor": cast.doctor,
        "unrelated_doctor": cast.stranger_doctor,
        "receptionist": cast.receptionist,
        "admin": cast.admin,
        "anonymous": None,
    }[actor]


def test_the_matrix_covers_every_endpoint_and_actor():
    assert len(CELLS) == len(ENDPOINTS) * len(ACTORS) == 42


@pytest.mark.parametrize("endpoint,actor,expected", CELLS, ids=[f"{e}-{a}" for e, a, _ in CELLS])
def test_matrix_cell(api, db, cast, token_for, endpoint, actor, expected):
    method, suffix, body, action = ENDPOINTS[endpoint]
    user = _user(cast, actor)
    token = token_for(user) if user else None
    last = db.scalar(select(RecordAudit.id).order_by(RecordAudit.id.desc()).limit(1)) or 0

    response = api.call(method, f"/api/patients/{cast.patient.id}/record{suffix}", token, json=body)

    assert response.status_code == expected, response.get_json()
    if expected >= 400:
        assert set(response.get_json()["error"]) >= {"code", "message"}
        assert "Exploración" not in response.get_data(as_text=True)
    rows = list(db.scalars(select(RecordAudit).where(RecordAudit.id > last)))
    if user is None:
        assert rows == []
        return
    assert len(rows) == 1
    row = rows[0]
    assert (row.patient_id, row.actor_id, row.actor_role, row.action) == (cast.patient.id, user.id, user.role, action)
    assert row.outcome == ("granted" if expected < 400 else "denied")
    assert row.ip == "127.0.0.1" and row.at.utcoffset() is not None
    assert row.break_glass == (endpoint == "break_glass" and expected == 201)


def test_unknown_and_non_patient_ids_are_404_and_audited(api, db, cast, token_for):
    token = token_for(cast.doctor)
    for patient_id in (cast.doctor.id, 987654321):
        r = api.get(f"/api/patients/{patient_id}/record", token)
        assert r.status_code == 404
        rows = db.scalars(select(RecordAudit).where(RecordAudit.patient_id == patient_id)).all()
        assert [(x.action, x.outcome) for x in rows] == [(audit.READ, "denied")]
    admin = token_for(cast.admin)
    assert api.get(f"/api/patients/{cast.doctor.id}/record/audit", admin).status_code == 404


def test_ids_beyond_bigint_are_404_not_5xx(api, cast, token_for):
    token = token_for(cast.doctor)
    assert api.get(f"/api/patients/{2**64}/record", token).status_code == 404
    r = api.post(f"/api/patients/{cast.patient.id}/record/entries", token, json={"text": "x", "corrects_id": 2**64})
    assert r.status_code == 422


def test_a_cancelled_appointment_alone_is_not_a_care_relationship(api, cast, make_doctor, make_appointment, token_for):
    user, profile = make_doctor()
    make_appointment(profile, cast.patient, status="cancelled")
    token = token_for(user)
    assert api.get(f"/api/patients/{cast.patient.id}/record", token).status_code == 404
    for status in ("completed", "no_show"):
        other_user, other_profile = make_doctor()
        make_appointment(other_profile, cast.patient, status=status, days=-30)
        assert api.get(f"/api/patients/{cast.patient.id}/record", token_for(other_user)).status_code == 200


def test_the_treating_doctor_cannot_reach_another_patient(api, cast, token_for):
    r = api.get(f"/api/patients/{cast.other_patient.id}/record", token_for(cast.doctor))
    assert r.status_code == 404


@pytest.mark.parametrize(
    "role,is_self,relation,action,outcome",
    [
        ("patient", True, Relation(is_patient=True), audit.EXPORT, Outcome.ALLOW),
        ("patient", False, Relation(is_patient=True), audit.READ, Outcome.NOT_FOUND),
        (
            "doctor",
            False,
            Relation(is_patient=True, break_glass_reason="x", practising=True),
            audit.UPDATE,
            Outcome.ALLOW_BREAK_GLASS,
        ),
        (
            "doctor",
            False,
            Relation(is_patient=True, break_glass_reason="x", practising=True),
            audit.BREAK_GLASS,
            Outcome.ALLOW,
        ),
        (
            "doctor",
            False,
            Relation(is_patient=True, break_glass_reason="x", practising=True),
            audit.AUDIT,
            Outcome.FORBIDDEN,
        ),
        ("doctor", False, Relation(is_patient=False, care=True, practising=True), audit.READ, Outcome.NOT_FOUND),
        ("doctor", False, Relation(is_patient=True, practising=True), audit.EXPORT, Outcome.NOT_FOUND),
        # A doctor who no longer practises (account or doctor profile deactivated) reaches nothing.
        ("doctor", False, Relation(is_patient=True, care=True), audit.READ, Outcome.NOT_FOUND),
        ("doctor", False, Relation(is_patient=True, break_glass_reason="x"), audit.UPDATE, Outcome.NOT_FOUND),
        ("doctor", False, Relation(is_patient=True), audit.BREAK_GLASS, Outcome.NOT_FOUND),
        ("admin", False, Relation(is_patient=False), audit.AUDIT, Outcome.NOT_FOUND),
        ("receptionist", False, Relation(is_patient=True, care=True), audit.READ, Outcome.NOT_FOUND),
        ("system", False, Relation(is_patient=True), audit.READ, Outcome.NOT_FOUND),
    ],
)
def test_decide_edge_cases(role, is_self, relation, action, outcome):
    assert access.decide(role=role, is_self=is_self, relation=relation, action=action) is outcome
