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
    return list(
        db.scalars(
            select(RecordAudit).where(
                RecordAudit.patient_id == patient_id, RecordAudit.action == "appointment_reason.read"
            )
        )
    )


@pytest.mark.parametrize("role", ["receptionist", "admin"])
def test_staff_lists_carry_no_reason_and_the_detail_read_is_audited(api, db, token_for, with_reason, role):
    cast = with_reason
    staff_user = getattr(cast, role)
    staff = token_for(staff_user)
    listed = api.get("/api/appointments", staff, query_string={"patient_id": cast.patient.id}).get_json()
    assert [a["reason"] for a in listed] == [None]
    assert _reason_reads(db, cast.patient.id) == []

    detail = api.get(f"/api/appointments/{cast.appointment.id}", staff, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert detail.status_code == 200 and detail.get_json()["reason"] == REASON
    rows = _reason_reads(db, cast.patient.id)
    assert [(r.actor_id, r.actor_role, r.outcome, r.object_id, r.ip) for r in rows] == [
        (staff_user.id, role, "granted", cast.appointment.id, "192.0.2.7")
    ]
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


@pytest.mark.e2e
def test_the_audited_read_is_committed_by_the_real_web_process(engine, tmp_path):
    """The app's own session factories (not the tests' shared transaction): the audit row must be stored."""
    import uuid
    from datetime import datetime, timedelta, timezone

    import psycopg

    from clinic.appointments.models import Appointment
    from clinic.db import make_session_factory
    from clinic.identity import service as accounts
    from clinic.scheduling.models import Clinic, Doctor, Service
    from clinic.unit_of_work import UnitOfWork
    from tests.conftest import PASSWORD, TEST_DATABASE_URL
    from tests.ops.test_e2e_web import PRODUCTION_ENV
    from tests.support.processes import ProcfileProcesses

    tag = uuid.uuid4().hex[:8]
    with UnitOfWork(make_session_factory(engine)) as uow:
        s = uow.session
        patient = accounts.create_user(
            s, email=f"p-{tag}@example.com", password=PASSWORD, full_name="P", role="patient"
        )
        desk = accounts.create_user(
            s, email=f"r-{tag}@example.com", password=PASSWORD, full_name="R", role="receptionist"
        )
        doctor_user = accounts.create_user(
            s, email=f"d-{tag}@example.com", password=PASSWORD, full_name="D", role="doctor"
        )
        clinic, service = (
            Clinic(name=f"C {tag}", timezone="Europe/Madrid"),
            Service(name=f"S {tag}", duration_minutes=30),
        )
        s.add_all([clinic, service])
        s.flush()
        doctor = Doctor(user_id=doctor_user.id, clinic_id=clinic.id, specialty="general")
        s.add(doctor)
        s.flush()
        start = datetime(2031, 5, 5, 9, tzinfo=timezone.utc)
        appt = Appointment(
            doctor_id=doctor.id,
            patient_id=patient.id,
            service_id=service.id,
            clinic_id=clinic.id,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            blocked_until=start + timedelta(minutes=30),
            status="booked",
            reason=REASON,
        )
        s.add(appt)
        s.flush()
        ids = (patient.id, desk.id, doctor_user.id, appt.id, clinic.id, service.id, doctor.id)
    patient_id, desk_id, _, appt_id, clinic_id, service_id, doctor_id = ids
    try:
        with ProcfileProcesses(["web"], PRODUCTION_ENV, tmp_path) as web:
            token = web.call("POST", "/api/auth/login", body={"email": f"r-{tag}@example.com", "password": PASSWORD})[1]
            status, body = web.call("GET", f"/api/appointments/{appt_id}", token=token["access_token"])
            assert status == 200 and body["reason"] == REASON
        with psycopg.connect(TEST_DATABASE_URL) as conn:
            rows = conn.execute(
                "SELECT actor_id FROM record_audit WHERE patient_id = %s AND action = %s",
                (patient_id, "appointment_reason.read"),
            ).fetchall()
        assert rows == [(desk_id,)]
    finally:  # audit rows are append-only (and keep their users): the rest goes, other tests list appointments
        with psycopg.connect(TEST_DATABASE_URL) as conn:
            conn.execute("DELETE FROM appointments WHERE id = %s", (appt_id,))
            conn.execute("DELETE FROM doctors WHERE id = %s", (doctor_id,))
            conn.execute("DELETE FROM clinics WHERE id = %s", (clinic_id,))
            conn.execute("DELETE FROM services WHERE id = %s", (service_id,))
