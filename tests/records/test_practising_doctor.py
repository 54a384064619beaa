"""Item 1: record access needs a practising doctor: an active doctor account with an active doctor profile."""

from __future__ import annotations

import pytest


@pytest.fixture()
def admin_token(make_user, token_for):
    admin = make_user("admin")
    return admin, token_for(admin)


def test_a_deactivated_doctor_account_loses_record_access_and_break_glass(api, cast, admin_token, token_for):
    _, admin = admin_token
    doctor_token, stranger_token = token_for(cast.doctor), token_for(cast.stranger_doctor)
    record = f"/api/patients/{cast.patient.id}/record"
    assert api.get(record, doctor_token).status_code == 200
    assert api.patch(f"/api/users/{cast.doctor.id}", admin, json={"active": False}).status_code == 200
    assert api.patch(f"/api/users/{cast.stranger_doctor.id}", admin, json={"active": False}).status_code == 200
    assert api.get(record, doctor_token).status_code == 401
    r = api.post(f"{record}/break-glass", stranger_token, json={"reason": "Urgencias: paciente inconsciente"})
    assert r.status_code == 401


def test_deactivating_a_doctor_profile_ends_their_record_access(api, cast, admin_token, token_for):
    """The doctor still has an account (and a completed appointment with the patient), but no longer
    practises at the clinic: no record, no writes, no break-glass."""
    _, admin = admin_token
    token = token_for(cast.doctor)
    record = f"/api/patients/{cast.patient.id}/record"
    assert api.get(record, token).status_code == 200
    r = api.patch(f"/api/doctors/{cast.doctor_profile.id}", admin, json={"active": False})
    assert r.status_code == 200, r.get_json()
    assert api.get(record, token).status_code == 404
    assert api.patch(record, token, json={"allergies": ["penicilina"]}).status_code == 404
    assert api.post(f"{record}/entries", token, json={"text": "Nota"}).status_code == 404
    r = api.post(f"{record}/break-glass", token, json={"reason": "Urgencias: paciente inconsciente"})
    assert r.status_code == 404


def test_break_glass_needs_a_practising_doctor(api, cast, make_user, token_for):
    """The domain rule holds on its own: a doctor-role account without an active doctor profile (here: none
    at all) cannot break the glass, even with a live access token."""
    no_profile = make_user("doctor")
    r = api.post(
        f"/api/patients/{cast.patient.id}/record/break-glass",
        token_for(no_profile),
        json={"reason": "Urgencias: paciente inconsciente"},
    )
    assert r.status_code == 404
    r = api.post(
        f"/api/patients/{cast.patient.id}/record/break-glass",
        token_for(cast.stranger_doctor),
        json={"reason": "Urgencias: paciente inconsciente"},
    )
    assert r.status_code == 201
