"""Waitlist endpoints: patients join, list and leave their own entries; staff see all; others' are 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text


@pytest.fixture()
def service_id(db):
    return db.execute(
        text("INSERT INTO services (name, duration_minutes) VALUES ('Consulta', 30) RETURNING id")
    ).scalar()


def _body(service_id, **extra):
    today = date.today()
    return {
        "service_id": service_id,
        "from": str(today + timedelta(days=1)),
        "to": str(today + timedelta(days=20)),
        **extra,
    }


def test_join_list_leave(api, make_user, token_for, service_id):
    patient = make_user("patient")
    token = token_for(patient)
    r = api.post("/api/waitlist", token, json=_body(service_id))
    assert r.status_code == 201, r.get_json()
    entry = r.get_json()
    assert entry["patient_id"] == patient.id and entry["status"] == "waiting" and "from" in entry
    assert [e["id"] for e in api.get("/api/waitlist", token).get_json()] == [entry["id"]]
    assert api.call("DELETE", f"/api/waitlist/{entry['id']}", token).status_code == 204
    assert api.get("/api/waitlist", token).get_json() == []
    assert api.call("DELETE", f"/api/waitlist/{entry['id']}", token).status_code == 404


def test_another_patients_entry_is_hidden_and_staff_see_all(api, make_user, token_for, service_id):
    owner, other, staff = make_user("patient"), make_user("patient"), make_user("receptionist")
    entry = api.post("/api/waitlist", token_for(owner), json=_body(service_id)).get_json()
    assert api.get("/api/waitlist", token_for(other)).get_json() == []
    assert api.call("DELETE", f"/api/waitlist/{entry['id']}", token_for(other)).status_code == 404
    assert [e["id"] for e in api.get("/api/waitlist", token_for(staff)).get_json()] == [entry["id"]]


def test_bad_requests_are_422(api, make_user, token_for, service_id):
    token = token_for(make_user("patient"))
    today = date.today()
    bad = [
        _body(service_id, to=str(today - timedelta(days=400)), **{"from": str(today - timedelta(days=500))}),
        _body(service_id, **{"from": str(today + timedelta(days=5)), "to": str(today + timedelta(days=2))}),
        _body(999999),
        _body(service_id, role="admin"),
        {"service_id": service_id},
    ]
    for body in bad:
        r = api.post("/api/waitlist", token, json=body)
        assert r.status_code == 422, (body, r.get_json())


def test_doctors_cannot_join(api, make_user, token_for, service_id):
    assert api.post("/api/waitlist", token_for(make_user("doctor")), json=_body(service_id)).status_code == 403


def test_waitlist_is_in_the_openapi_document(api):
    paths = api.get("/api/openapi.json").get_json()["paths"]
    assert "/api/waitlist" in paths and "/api/waitlist/{entry_id}" in paths


def test_joining_twice_answers_the_existing_entry(api, make_user, token_for, service_id):
    """A second identical request while still waiting adds nothing: 200 with the same entry and
    `already_waiting`; other dates, or after leaving, make a new entry."""
    token = token_for(make_user("patient"))
    first = api.post("/api/waitlist", token, json=_body(service_id))
    assert first.status_code == 201 and first.get_json()["already_waiting"] is False
    again = api.post("/api/waitlist", token, json=_body(service_id))
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["already_waiting"] is True
    assert len(api.get("/api/waitlist", token).get_json()) == 1
    other_dates = api.post("/api/waitlist", token, json=_body(service_id, to=str(date.today() + timedelta(days=9))))
    assert other_dates.status_code == 201
    api.call("DELETE", f"/api/waitlist/{first.get_json()['id']}", token)
    assert api.post("/api/waitlist", token, json=_body(service_id)).status_code == 201
