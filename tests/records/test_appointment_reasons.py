"""Why a patient booked is clinical data: staff read it only through an audited read (issue 13.16).

Receptionists and admins book, move and cancel without it: lists and the answers to their changes carry
`reason: null`; `GET /api/appointments/{id}` shows it to them and writes `appointment_reason.read` in the
patient's records audit trail. The patient and the appointment's doctor see it as before, unaudited.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.records.models import RecordAudit

REASON = "dolor torácico al subir escaleras"


@pytest.fixture()
def with_reason(db, cast):
    cast.appointment.reason = REASON
    db.flush()
    return cast


def _reason_reads(db, patient_id: int) -> list[RecordAudit]:
    return list(db.scalars(select(RecordAudit).where(RecordAudit.patient_id == patient_id,
                                                     RecordAudit.action == "appointment_reason.read")))


@pytest.mark.parametrize("role", ["receptionist", "admin"])
def test_staff_lists_carry_no_reason_and_the_detail_read_is_audited(api, db, token_for, with_reason, role):
    cast = with_reason
    staff_user = getattr(cast, role)
    staff = token_for(staff_user)
    listed = api.get("/api/appointments", staff, query_string={"patient_id": cast.patient.id}).get_json()
    assert [a["reason"] for a in listed] == [None]
    assert _reason_reads(db, cast.patient.id) == []

    detail = api.get(f"/api/appointments/{cast.appointment.id}", staff,
                     environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert detail.status_code == 200 and detail.get_json()["reason"] == REASON
    rows = _reason_reads(db, cast.patient.id)
    assert [(r.actor_id, r.actor_role, r.outcome, r.object_id, r.ip) for r in rows] == [
        (staff_user.id, role, "granted", cast.appointment.id, "192.0.2.7")]
    # The patient sees it in their access log.
    audit = api.get(f"/api/patients/{cast.patient.id}/record/audit", token_for(cast.patient)).get_json()
    assert "appointment_reason.read" in [row["action"] for row in audit]


def test_staff_change_answers_carry_no_reason(api, db, token_for, with_reason):
    cast = with_reason
    r = api.post(f"/api/appointments/{cast.appointment.id}/cancel", token_for(cast.receptionist), json={})
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled" and r.get_json()["reason"] is None
    assert _reason_reads(db, cast.patient.id) == []


def test_patient_and_doctor_see_the_reason_unaudited(api, db, token_for, with_reason):
    cast = with_reason
    for user in (cast.patient, cast.doctor):
        token = token_for(user)
        assert api.get(f"/api/appointments/{cast.appointment.id}", token).get_json()["reason"] == REASON
        assert [a["reason"] for a in api.get("/api/appointments", token).get_json()] == [REASON]
    assert _reason_reads(db, cast.patient.id) == []
