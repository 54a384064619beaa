"""Patient data export: requested over HTTP, built by the job (called directly here), fetched when ready."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from clinic.appointments.models import AppointmentHistory
from clinic.clock import utcnow
from clinic.outbox.models import OutboxMessage
from clinic.records import export
from clinic.records.models import DataExport, RecordAudit


def _request(api, token) -> dict:
    r = api.post("/api/me/export", token)
    assert r.status_code == 202, r.get_json()
    return r.get_json()


def test_export_holds_profile_appointments_record_and_audit(api, db, cast, token_for):
    doctor = token_for(cast.doctor)
    path = f"/api/patients/{cast.patient.id}/record"
    api.patch(path, doctor, json={"allergies": ["penicilina"]})
    api.patch(path, doctor, json={"conditions": ["asma"]})
    api.post(f"{path}/entries", doctor, json={"text": "Revisión anual", "appointment_id": cast.appointment.id})
    db.add(AppointmentHistory(appointment_id=cast.appointment.id, actor_id=cast.receptionist.id, action="booked"))
    db.flush()
    token = token_for(cast.patient)

    requested = _request(api, token)
    assert requested["status"] == "pending" and requested["document"] is None
    pending = api.get(f"/api/me/export/{requested['id']}", token).get_json()
    assert pending["status"] == "pending" and pending["document"] is None
    message = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "export.requested")).one()
    assert message.payload == {"export_id": requested["id"]}  # ids only: no personal or clinical data

    export.build_export(db, export_id=requested["id"], now=utcnow())

    ready = api.get(f"/api/me/export/{requested['id']}", token).get_json()
    assert ready["status"] == "ready" and ready["completed_at"]
    doc = ready["document"]
    assert doc["profile"]["email"] == cast.patient.email and doc["profile"]["id"] == cast.patient.id
    [appt] = doc["appointments"]
    assert appt["id"] == cast.appointment.id and appt["doctor_name"] == "Dra. Tratante"
    assert appt["starts_at"].endswith("+01:00")  # the clinic's time zone (Madrid, winter)
    assert [h["action"] for h in appt["history"]] == ["booked"]
    record = doc["record"]
    assert (record["allergies"], record["conditions"]) == (["penicilina"], ["asma"])
    assert [(v["version"], v["author_name"]) for v in record["versions"]] == [
        (1, "Dra. Tratante"),
        (2, "Dra. Tratante"),
    ]
    assert [e["text"] for e in record["entries"]] == ["Revisión anual"]
    actions = [row["action"] for row in doc["audit"]]
    assert actions == ["record.update", "record.update", "entry.create", "export"]
    assert all("ip" not in row for row in doc["audit"])
    downloads = db.scalars(
        select(RecordAudit).where(RecordAudit.patient_id == cast.patient.id, RecordAudit.action == "export.download")
    ).all()
    assert [(row.actor_id, row.ip) for row in downloads] == [(cast.patient.id, "127.0.0.1")]


def test_the_export_is_itself_audited_and_building_twice_changes_nothing(db, cast):
    from clinic.identity.actor import Actor

    patient = Actor(user_id=cast.patient.id, role="patient")
    requested = export.request_export(db, actor=patient, now=utcnow())
    first = export.build_export(db, export_id=requested.id, now=datetime(2027, 1, 1, tzinfo=timezone.utc))
    document = dict(first.document)
    again = export.build_export(db, export_id=str(requested.id), now=datetime(2027, 1, 2, tzinfo=timezone.utc))
    assert again.document == document and again.completed_at == datetime(2027, 1, 1, tzinfo=timezone.utc)
    rows = db.scalars(select(RecordAudit).where(RecordAudit.patient_id == cast.patient.id)).all()
    assert [(r.action, r.actor_id, r.outcome, r.ip) for r in rows] == [("export", cast.patient.id, "granted", None)]
    assert export.build_export(db, export_id=uuid.uuid4(), now=utcnow()) is None


def test_a_pending_export_is_reused(api, db, cast, token_for):
    token = token_for(cast.patient)
    first = _request(api, token)
    assert _request(api, token)["id"] == first["id"]
    assert db.scalar(select(DataExport.user_id).where(DataExport.id == uuid.UUID(first["id"]))) == cast.patient.id


def test_someone_elses_export_is_404_and_other_roles_cannot_export(app, api, cast, token_for):
    mine = _request(api, token_for(cast.patient))
    assert api.get(f"/api/me/export/{mine['id']}", token_for(cast.other_patient)).status_code == 404
    assert api.get(f"/api/me/export/{uuid.uuid4()}", token_for(cast.patient)).status_code == 404
    assert api.get("/api/me/export/not-a-uuid", token_for(cast.patient)).status_code == 404
    for user in (cast.doctor, cast.receptionist, cast.admin):
        assert api.post("/api/me/export", token_for(user)).status_code == 403
    anonymous = app.test_client()  # no cookies from the sign-ins above
    assert anonymous.post("/api/me/export").status_code == 401
    assert anonymous.get(f"/api/me/export/{mine['id']}").status_code == 401


def test_a_failed_export_shows_as_failed_and_may_be_requested_again(api, db, cast, token_for):
    token = token_for(cast.patient)
    first = _request(api, token)
    export.mark_failed(db, export_id=first["id"], now=utcnow())
    failed = api.get(f"/api/me/export/{first['id']}", token).get_json()
    assert failed["status"] == "failed" and failed["document"] is None
    assert export.build_export(db, export_id=first["id"], now=utcnow()).status == "failed"
    again = _request(api, token)
    assert again["id"] != first["id"] and again["status"] == "pending"
