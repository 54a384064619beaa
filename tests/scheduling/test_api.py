"""Clinics, services, doctors, weekly hours and time off through the API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from clinic.outbox.models import OutboxMessage
from tests.conftest import PASSWORD
from tests.scheduling.factories import add_appointment, future_day, make_doctor


def _events(db, topic):
    return [m.payload for m in db.scalars(select(OutboxMessage).where(OutboxMessage.topic == topic))]


def test_admin_builds_a_clinic_services_and_a_doctor(api, db, make_user, token_for):
    admin = token_for(make_user("admin"))
    r = api.post(
        "/api/clinics",
        admin,
        json={"name": "Central", "timezone": "Europe/Madrid", "address": "Gran Vía 1", "phone": "+34 910 000 000"},
    )
    assert r.status_code == 201
    clinic = r.get_json()
    assert clinic == {
        "id": clinic["id"],
        "name": "Central",
        "timezone": "Europe/Madrid",
        "address": "Gran Vía 1",
        "phone": "+34 910 000 000",
        "change_cutoff_hours": 24,
    }
    r = api.post("/api/services", admin, json={"name": "Consulta", "duration_minutes": 20, "buffer_minutes": 10})
    assert r.status_code == 201 and r.get_json()["buffer_minutes"] == 10
    service = r.get_json()
    r = api.post(
        "/api/doctors",
        admin,
        json={
            "email": "house@example.com",
            "password": PASSWORD,
            "full_name": "Gregorio Casa",
            "specialty": "Diagnóstico",
            "clinic_id": clinic["id"],
            "service_ids": [service["id"]],
        },
    )
    assert r.status_code == 201, r.get_json()
    doctor = r.get_json()
    assert doctor["service_ids"] == [service["id"]] and doctor["clinic_timezone"] == "Europe/Madrid"
    assert doctor["full_name"] == "Gregorio Casa" and doctor["active"] is True and doctor["user_id"]
    doctor_token = api.login("house@example.com")["access_token"]
    assert api.get("/api/me", doctor_token).get_json()["role"] == "doctor"
    assert api.get("/api/doctors/me", doctor_token).get_json()["id"] == doctor["id"]
    patient = token_for(make_user())
    assert api.get("/api/doctors/me", patient).status_code == 403
    assert clinic["id"] in [c["id"] for c in api.get("/api/clinics", patient).get_json()]
    assert service["id"] in [s["id"] for s in api.get("/api/services", patient).get_json()]
    query = f"/api/doctors?specialty=diagnóstico&clinic_id={clinic['id']}&service_id={service['id']}"
    assert api.get(query, patient).get_json() == []  # no working hours yet: nobody could book them
    assert [d["id"] for d in api.get(query, admin).get_json()] == [doctor["id"]]
    assert (
        api.put(
            f"/api/doctors/{doctor['id']}/working-hours", admin, json=[{"weekday": 0, "start": "09:00", "end": "13:00"}]
        ).status_code
        == 200
    )
    found = api.get(query, patient).get_json()
    assert [d["id"] for d in found] == [doctor["id"]]
    assert api.get(f"/api/doctors/{doctor['id']}", patient).get_json()["specialty"] == "Diagnóstico"


def test_validation_and_roles(api, db, make_user, token_for):
    admin = token_for(make_user("admin"))
    assert api.post("/api/clinics", admin, json={"name": "X", "timezone": "Mars/Olympus"}).status_code == 422
    assert api.post("/api/clinics", admin, json={"name": "X", "timezone": "CET2"}).status_code == 422
    assert api.post("/api/services", admin, json={"name": "X", "duration_minutes": 2}).status_code == 422
    assert (
        api.post("/api/services", admin, json={"name": "X", "duration_minutes": 30, "buffer_minutes": -1}).status_code
        == 422
    )
    body = {
        "email": "d@example.com",
        "password": PASSWORD,
        "full_name": "D",
        "specialty": "S",
        "clinic_id": 999999999,
        "service_ids": [],
    }
    assert api.post("/api/doctors", admin, json=body).status_code == 422
    receptionist = token_for(make_user("receptionist"))
    assert api.post("/api/clinics", receptionist, json={"name": "X", "timezone": "UTC"}).status_code == 403
    assert (
        api.post("/api/services", token_for(make_user()), json={"name": "X", "duration_minutes": 30}).status_code == 403
    )
    assert api.client.application.test_client().post("/api/clinics", json={}).status_code == 401  # no cookie jar


def test_admin_patches_clinic_service_and_doctor(api, db, make_user, token_for):
    setup = make_doctor(db)
    admin = token_for(make_user("admin"))
    r = api.patch(f"/api/clinics/{setup.clinic_id}", admin, json={"timezone": "America/Mexico_City"})
    assert r.status_code == 200 and r.get_json()["timezone"] == "America/Mexico_City"
    assert api.patch(f"/api/clinics/{setup.clinic_id}", admin, json={"timezone": "Nope"}).status_code == 422
    assert api.patch("/api/clinics/999999999", admin, json={"name": "X"}).status_code == 404
    r = api.patch(f"/api/services/{setup.service_id}", admin, json={"active": False, "duration_minutes": 25})
    assert r.status_code == 200 and r.get_json()["active"] is False and r.get_json()["duration_minutes"] == 25
    patient = token_for(make_user())
    assert setup.service_id not in [s["id"] for s in api.get("/api/services", patient).get_json()]
    r = api.patch(
        f"/api/doctors/{setup.doctor.id}",
        admin,
        json={"service_ids": [setup.long_service_id], "specialty": "Neurología"},
    )
    assert r.get_json()["service_ids"] == [setup.long_service_id] and r.get_json()["specialty"] == "Neurología"
    assert api.patch(f"/api/doctors/{setup.doctor.id}", admin, json={"service_ids": [999999999]}).status_code == 422
    r = api.patch(f"/api/doctors/{setup.doctor.id}", admin, json={"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert {"doctor_id": setup.doctor.id} in _events(db, "doctor.deactivated")
    assert setup.doctor.id not in [d["id"] for d in api.get("/api/doctors", patient).get_json()]
    assert setup.doctor.id in [d["id"] for d in api.get("/api/doctors", admin).get_json()]
    assert (
        api.patch(
            f"/api/doctors/{setup.doctor.id}", token_for(make_user("receptionist")), json={"active": True}
        ).status_code
        == 403
    )


def test_working_hours_replace_and_validate(api, db, make_user, token_for):
    setup = make_doctor(db)
    doctor = token_for(setup.doctor.user)
    hours = [
        {"weekday": 0, "start": "15:00", "end": "19:00"},
        {"weekday": 0, "start": "09:00", "end": "13:00"},
        {"weekday": 4, "start": "08:30", "end": "14:30"},
    ]
    r = api.put(f"/api/doctors/{setup.doctor.id}/working-hours", doctor, json=hours)
    assert r.status_code == 200
    assert r.get_json() == [
        {"weekday": 0, "start": "09:00", "end": "13:00"},
        {"weekday": 0, "start": "15:00", "end": "19:00"},
        {"weekday": 4, "start": "08:30", "end": "14:30"},
    ]
    assert api.get(f"/api/doctors/{setup.doctor.id}/working-hours", doctor).get_json() == r.get_json()
    for bad in (
        [{"weekday": 7, "start": "09:00", "end": "10:00"}],
        [{"weekday": 1, "start": "10:00", "end": "09:00"}],
        [{"weekday": 1, "start": "9am", "end": "10:00"}],
        [{"weekday": 1, "start": "24:00", "end": "10:00"}],
        [{"weekday": 1, "start": "09:00", "end": "12:00"}, {"weekday": 1, "start": "11:00", "end": "13:00"}],
        {"weekday": 1},
        {},
        [{"weekday": True, "start": "09:00", "end": "10:00"}],
        [{"weekday": "1", "start": "09:00", "end": "10:00"}],
    ):
        assert api.put(f"/api/doctors/{setup.doctor.id}/working-hours", doctor, json=bad).status_code == 422, bad
    assert api.get(f"/api/doctors/{setup.doctor.id}/working-hours", doctor).get_json() == r.get_json()  # kept
    other = make_doctor(db)
    assert api.put(f"/api/doctors/{other.doctor.id}/working-hours", doctor, json=hours).status_code == 404
    assert api.get(f"/api/doctors/{other.doctor.id}/working-hours", doctor).status_code == 404
    assert (
        api.put(f"/api/doctors/{other.doctor.id}/working-hours", token_for(make_user()), json=hours).status_code == 403
    )
    r = api.put(f"/api/doctors/{other.doctor.id}/working-hours", token_for(make_user("receptionist")), json=[])
    assert r.status_code == 200 and r.get_json() == []


def test_time_off_reports_affected_appointments_and_emits_the_cascade(api, db, make_user, token_for):
    setup = make_doctor(db)
    day = future_day()
    inside = add_appointment(db, setup, make_user().id, setup.at(day, 10))
    edge = add_appointment(db, setup, make_user().id, setup.at(day, 12, 30))
    add_appointment(db, setup, make_user().id, setup.at(day, 11), status="cancelled")
    add_appointment(db, setup, make_user().id, setup.at(day, 13, 0) - timedelta(hours=4))  # 09:00, before
    doctor = token_for(setup.doctor.user)
    body = {
        "starts_at": setup.at(day, 9, 30).isoformat(),
        "ends_at": setup.at(day, 12, 45).isoformat(),
        "reason": "Congreso",
    }
    r = api.post(f"/api/doctors/{setup.doctor.id}/time-off", doctor, json=body)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["affected_appointments"] == 2 and created["affected_appointment_ids"] == [inside.id, edge.id]
    assert created["starts_at"] == setup.at(day, 9, 30).isoformat()
    assert {
        "time_off_id": created["id"],
        "doctor_id": setup.doctor.id,
        "appointment_ids": [inside.id, edge.id],
    } in _events(db, "time_off.created")
    listed = api.get(f"/api/doctors/{setup.doctor.id}/time-off", token_for(make_user("receptionist"))).get_json()
    assert [t["id"] for t in listed] == [created["id"]]
    bad = {"starts_at": body["ends_at"], "ends_at": body["starts_at"]}
    assert api.post(f"/api/doctors/{setup.doctor.id}/time-off", doctor, json=bad).status_code == 422
    naive = {"starts_at": "2027-01-01T09:00:00", "ends_at": "2027-01-01T10:00:00"}
    assert api.post(f"/api/doctors/{setup.doctor.id}/time-off", doctor, json=naive).status_code == 422
    other = make_doctor(db)
    other_doctor = token_for(other.doctor.user)
    assert api.post(f"/api/doctors/{setup.doctor.id}/time-off", other_doctor, json=body).status_code == 404
    assert api.get(f"/api/doctors/{setup.doctor.id}/time-off", other_doctor).status_code == 404
    assert (
        api.call("DELETE", f"/api/doctors/{setup.doctor.id}/time-off/{created['id']}", other_doctor).status_code == 404
    )
    assert (
        api.call("DELETE", f"/api/doctors/{other.doctor.id}/time-off/{created['id']}", other_doctor).status_code == 404
    )
    assert api.call("DELETE", f"/api/doctors/{setup.doctor.id}/time-off/{created['id']}", doctor).status_code == 204
    assert api.get(f"/api/doctors/{setup.doctor.id}/time-off", doctor).get_json() == []


def test_openapi_documents_the_scheduling_endpoints(api):
    paths = api.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/clinics",
        "/api/clinics/{clinic_id}",
        "/api/services",
        "/api/services/{service_id}",
        "/api/doctors",
        "/api/doctors/me",
        "/api/doctors/{doctor_id}",
        "/api/doctors/{doctor_id}/slots",
        "/api/doctors/{doctor_id}/working-hours",
        "/api/doctors/{doctor_id}/time-off",
        "/api/doctors/{doctor_id}/time-off/{time_off_id}",
        "/api/appointments",
        "/api/appointments/{appointment_id}",
        "/api/appointments/{appointment_id}/cancel",
        "/api/appointments/{appointment_id}/attendance",
        "/api/appointments/{appointment_id}/history",
    ):
        assert path in paths, path


def test_booleans_are_json_booleans(api, db, make_user, token_for):
    setup = make_doctor(db)
    admin = token_for(make_user("admin"))
    for value in (1, "false", "yes"):
        assert api.patch(f"/api/doctors/{setup.doctor.id}", admin, json={"active": value}).status_code == 422
        assert api.patch(f"/api/services/{setup.service_id}", admin, json={"active": value}).status_code == 422
