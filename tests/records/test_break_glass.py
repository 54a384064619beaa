"""Break-glass: granted, time-limited, flagged, and visible to the patient and admins."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from clinic.identity.actor import Actor
from clinic.records import service
from clinic.records.access import RecordNotFound

REASON = "Urgencias: paciente inconsciente, sin acompañantes"


def test_break_glass_opens_the_record_and_flags_every_access(api, cast, token_for):
    stranger = token_for(cast.stranger_doctor)
    path = f"/api/patients/{cast.patient.id}/record"
    assert api.get(path, stranger).status_code == 404

    r = api.post(f"{path}/break-glass", stranger, json={"reason": REASON})
    assert r.status_code == 201
    grant = r.get_json()
    assert grant["patient_id"] == cast.patient.id and grant["reason"] == REASON
    lifetime = datetime.fromisoformat(grant["expires_at"]) - datetime.fromisoformat(grant["granted_at"])
    assert lifetime == timedelta(minutes=60)

    assert api.get(path, stranger).status_code == 200
    assert api.get(f"{path}/versions", stranger).status_code == 200
    assert api.patch(path, stranger, json={"allergies": ["yodo"]}).status_code == 200
    entry = api.post(f"{path}/entries", stranger, json={"text": "Atendido en urgencias"})
    assert entry.status_code == 201 and entry.get_json()["break_glass"] is True
    assert api.get(f"{path}/audit", stranger).status_code == 403  # the audit trail stays with patient and admins
    versions = api.get(f"{path}/versions", token_for(cast.patient)).get_json()
    assert versions[-1]["break_glass"] is True

    for viewer in (cast.patient, cast.admin):
        rows = api.get(f"{path}/audit", token_for(viewer)).get_json()
        mine = [row for row in rows if row["actor_id"] == cast.stranger_doctor.id]
        assert [(row["action"], row["outcome"], row["break_glass"]) for row in mine] == [
            ("record.read", "denied", False),
            ("break_glass", "granted", True),
            ("record.read", "granted", True),
            ("record.versions", "granted", True),
            ("record.update", "granted", True),
            ("entry.create", "granted", True),
            ("audit.read", "denied", False),
        ]
        assert all(row["reason"] == REASON for row in mine if row["break_glass"])
        assert all(row["actor_role"] == "doctor" and row["actor_name"] == "Dr. Ajeno" for row in mine)
        # Admins see where access came from; the patient sees who and when.
        assert {row["ip"] for row in mine} == ({"127.0.0.1"} if viewer is cast.admin else {None})


def test_break_glass_needs_a_reason(api, db, cast, token_for):
    stranger = token_for(cast.stranger_doctor)
    path = f"/api/patients/{cast.patient.id}/record/break-glass"
    assert api.post(path, stranger, json={}).status_code == 422
    assert api.post(path, stranger, json={"reason": "   ab   "}).status_code == 422
    assert api.get(f"/api/patients/{cast.patient.id}/record", stranger).status_code == 404


def test_the_grant_expires(db, cast):
    stranger = Actor(user_id=cast.stranger_doctor.id, role="doctor")
    then = datetime(2027, 3, 1, 8, tzinfo=timezone.utc)
    service.break_glass(db, actor=stranger, patient_id=cast.patient.id, ip=None, now=then, reason=REASON, minutes=30)
    view = service.get_record(db, actor=stranger, patient_id=cast.patient.id, ip=None, now=then + timedelta(minutes=29))
    assert view.patient_id == cast.patient.id
    with pytest.raises(RecordNotFound):
        service.get_record(db, actor=stranger, patient_id=cast.patient.id, ip=None, now=then + timedelta(minutes=30))


def test_a_grant_covers_only_its_patient(api, cast, token_for):
    stranger = token_for(cast.stranger_doctor)
    assert (
        api.post(f"/api/patients/{cast.patient.id}/record/break-glass", stranger, json={"reason": REASON}).status_code
        == 201
    )
    assert api.get(f"/api/patients/{cast.other_patient.id}/record", stranger).status_code == 404


def test_break_glass_duration_is_configurable(cast):
    from tests.conftest import make_settings

    assert make_settings(BREAK_GLASS_MINUTES=15).break_glass_minutes == 15


def test_the_patient_sees_that_another_patient_probed_but_not_who(api, cast, token_for):
    path = f"/api/patients/{cast.patient.id}/record"
    assert api.get(path, token_for(cast.other_patient)).status_code == 404
    [probe] = [
        row for row in api.get(f"{path}/audit", token_for(cast.patient)).get_json() if row["outcome"] == "denied"
    ]
    assert (probe["actor_role"], probe["actor_id"], probe["actor_name"]) == ("patient", None, None)
    [seen] = [row for row in api.get(f"{path}/audit", token_for(cast.admin)).get_json() if row["outcome"] == "denied"]
    assert seen["actor_id"] == cast.other_patient.id
