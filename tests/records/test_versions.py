"""Versions, entries and corrections: nothing is overwritten, everything is attributed."""

from __future__ import annotations

from sqlalchemy import select

from clinic.records.models import RecordAudit, RecordEntry, RecordVersion


def test_three_updates_leave_three_versions_in_order_with_their_authors(
    api, cast, make_doctor, make_appointment, token_for
):
    colleague, profile = make_doctor(full_name="Dr. Colega")
    make_appointment(profile, cast.patient, status="completed", days=-10)
    first, second = token_for(cast.doctor), token_for(colleague)
    path = f"/api/patients/{cast.patient.id}/record"

    assert api.patch(path, first, json={"allergies": ["penicilina"], "conditions": ["asma"]}).status_code == 200
    assert api.patch(path, second, json={"medications": ["salbutamol"]}).status_code == 200
    r = api.patch(path, first, json={"allergies": ["penicilina", "látex"]})
    assert r.status_code == 200
    current = r.get_json()
    assert current["version"] == 3 and current["updated_by"] == cast.doctor.id
    assert (current["allergies"], current["conditions"], current["medications"]) == (
        ["penicilina", "látex"],
        ["asma"],
        ["salbutamol"],
    )  # omitted lists carry over

    versions = api.get(f"{path}/versions", token_for(cast.patient)).get_json()
    assert [(v["version"], v["author_id"], v["author_name"]) for v in versions] == [
        (1, cast.doctor.id, "Dra. Tratante"),
        (2, colleague.id, "Dr. Colega"),
        (3, cast.doctor.id, "Dra. Tratante"),
    ]
    assert [v["allergies"] for v in versions] == [["penicilina"], ["penicilina"], ["penicilina", "látex"]]
    assert [v["medications"] for v in versions] == [[], ["salbutamol"], ["salbutamol"]]
    assert versions[0]["created_at"] <= versions[1]["created_at"] <= versions[2]["created_at"]


def test_a_new_record_is_empty_version_zero(api, cast, token_for):
    r = api.get(f"/api/patients/{cast.patient.id}/record", token_for(cast.patient))
    body = r.get_json()
    assert body.pop("patient")["id"] == cast.patient.id  # who the record is of (name, age, birth date)
    assert body == {
        "patient_id": cast.patient.id,
        "allergies": [],
        "conditions": [],
        "medications": [],
        "entries": [],
        "version": 0,
        "updated_at": None,
        "updated_by": None,
    }
    assert api.get(f"/api/patients/{cast.patient.id}/record/versions", token_for(cast.patient)).get_json() == []


def test_entries_and_corrections_are_appended_never_changed(api, db, cast, token_for):
    token = token_for(cast.doctor)
    path = f"/api/patients/{cast.patient.id}/record/entries"
    r = api.post(path, token, json={"text": "TA 150/95", "appointment_id": cast.appointment.id})
    assert r.status_code == 201
    original = r.get_json()
    assert original["appointment_id"] == cast.appointment.id and original["author_id"] == cast.doctor.id
    fix = api.post(path, token, json={"text": "Corrección: TA 130/85", "corrects_id": original["id"]})
    assert fix.status_code == 201 and fix.get_json()["corrects_id"] == original["id"]

    record = api.get(f"/api/patients/{cast.patient.id}/record", token_for(cast.patient)).get_json()
    assert [(e["id"], e["text"], e["corrects_id"]) for e in record["entries"]] == [
        (original["id"], "TA 150/95", None),
        (fix.get_json()["id"], "Corrección: TA 130/85", original["id"]),
    ]
    assert db.get(RecordEntry, original["id"]).text == "TA 150/95"


def test_entries_reject_foreign_appointments_and_entries_and_audit_the_attempt(
    api, db, cast, make_appointment, token_for
):
    token = token_for(cast.doctor)
    foreign_appt = make_appointment(cast.doctor_profile, cast.other_patient)
    other_entry = api.post(
        f"/api/patients/{cast.other_patient.id}/record/entries", token, json={"text": "otro"}
    ).get_json()
    r = api.post(
        f"/api/patients/{cast.patient.id}/record/entries",
        token,
        json={"text": "x", "appointment_id": foreign_appt.id, "corrects_id": other_entry["id"]},
    )
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"appointment_id", "corrects_id"}
    rows = db.scalars(select(RecordAudit).where(RecordAudit.patient_id == cast.patient.id)).all()
    assert [(x.action, x.outcome) for x in rows] == [("entry.create", "invalid")]
    assert db.scalar(select(RecordEntry).where(RecordEntry.patient_id == cast.patient.id)) is None


def test_an_empty_update_is_422_and_creates_no_version(api, db, cast, token_for):
    r = api.patch(f"/api/patients/{cast.patient.id}/record", token_for(cast.doctor), json={})
    assert r.status_code == 422
    assert db.scalar(select(RecordVersion).where(RecordVersion.patient_id == cast.patient.id)) is None
    assert db.scalar(select(RecordAudit.outcome).where(RecordAudit.patient_id == cast.patient.id)) == "invalid"


def test_bad_bodies_are_422_and_audited_once_each(api, db, cast, token_for):
    token = token_for(cast.doctor)
    path = f"/api/patients/{cast.patient.id}/record"
    assert api.patch(path, token, json={"allergies": "penicilina"}).status_code == 422
    assert api.patch(path, token, json={"allergies": [""]}).status_code == 422
    r = api.patch(path, token, json={"notes": ["x"]})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"notes": "not_accepted"}
    assert api.post(f"{path}/entries", token, json={"text": ""}).status_code == 422
    assert api.post(f"{path}/entries", token, json={"text": "   "}).status_code == 422
    assert api.post(f"{path}/break-glass", token_for(cast.stranger_doctor), json={"reason": "x"}).status_code == 422
    rows = db.scalars(
        select(RecordAudit).where(RecordAudit.patient_id == cast.patient.id).order_by(RecordAudit.id)
    ).all()
    assert [(r.action, r.outcome) for r in rows] == [("record.update", "invalid")] * 3 + [
        ("entry.create", "invalid")
    ] * 2 + [("break_glass", "invalid")]
    assert rows[-1].break_glass is False and rows[-1].actor_id == cast.stranger_doctor.id


def test_a_bad_body_from_someone_without_access_is_still_a_denial(api, db, cast, token_for):
    path = f"/api/patients/{cast.patient.id}/record"
    assert api.patch(path, token_for(cast.stranger_doctor), json={"notes": "x"}).status_code == 404
    assert api.post(f"{path}/entries", token_for(cast.patient), json={}).status_code == 403
    assert api.post(f"{path}/break-glass", token_for(cast.doctor), json={}).status_code == 409
    rows = db.scalars(
        select(RecordAudit).where(RecordAudit.patient_id == cast.patient.id).order_by(RecordAudit.id)
    ).all()
    assert [(r.action, r.outcome) for r in rows] == [
        ("record.update", "denied"),
        ("entry.create", "denied"),
        ("break_glass", "denied"),
    ]


def test_openapi_describes_every_record_endpoint(api):
    paths = api.get("/api/openapi.json").get_json()["paths"]
    base = "/api/patients/{patient_id}/record"
    for path, method in [
        (base, "get"),
        (base, "patch"),
        (f"{base}/entries", "post"),
        (f"{base}/audit", "get"),
        (f"{base}/versions", "get"),
        (f"{base}/break-glass", "post"),
        ("/api/me/export", "post"),
        ("/api/me/export/{export_id}", "get"),
    ]:
        assert method in paths[path], (path, method)
