"""POST /api/doctors/{id}/time-off/preview: the appointments time off would cancel, changing nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic.appointments.models import Appointment
from clinic.outbox.models import OutboxMessage
from clinic.scheduling.models import TimeOff
from tests.scheduling.factories import add_appointment, future_day, make_doctor


def test_preview_lists_what_time_off_would_cancel_and_changes_nothing(api, db, make_user, token_for):
    setup = make_doctor(db)
    day = future_day(15)
    ana, luis = make_user(full_name="Ana Pérez"), make_user(full_name="Luis Gil")
    inside = add_appointment(db, setup, ana.id, setup.at(day, 10))
    edge = add_appointment(db, setup, luis.id, setup.at(day, 12, 30))
    add_appointment(db, setup, make_user().id, setup.at(day, 11), status="cancelled")
    add_appointment(db, setup, make_user().id, setup.at(day, 9))  # ends 09:30, before the time off
    db.flush()
    outbox_before = db.scalar(select(func.count()).select_from(OutboxMessage))
    body = {"starts_at": setup.at(day, 9, 30).isoformat(), "ends_at": setup.at(day, 12, 45).isoformat()}
    path = f"/api/doctors/{setup.doctor.id}/time-off/preview"
    doctor = api.login(setup.doctor.user.email)["access_token"]
    r = api.post(path, doctor, json=body)
    assert r.status_code == 200, r.get_json()
    found = r.get_json()["affected_appointments"]
    assert [a["id"] for a in found] == [inside.id, edge.id]
    assert [a["patient_name"] for a in found] == ["Ana Pérez", "Luis Gil"]
    assert found[0]["starts_at"] == setup.at(day, 10).isoformat() and found[0]["status"] == "booked"
    # Nothing changed: no time off, no outbox message, both still booked.
    assert db.scalar(select(func.count()).select_from(TimeOff)) == 0
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == outbox_before
    assert {db.get(Appointment, a).status for a in (inside.id, edge.id)} == {"booked"}
    # Staff may preview too (without the patients' reasons); the count matches what creating it cancels.
    receptionist = token_for(make_user("receptionist"))
    staff_view = api.post(path, receptionist, json=body).get_json()["affected_appointments"]
    assert len(staff_view) == 2 and all(a["reason"] is None for a in staff_view)
    created = api.post(f"/api/doctors/{setup.doctor.id}/time-off", receptionist, json=body).get_json()
    assert created["affected_appointments"] == 2
    # Rules: reversed range 422, naive time 422, another doctor 404, a patient 403.
    reversed_body = {"starts_at": body["ends_at"], "ends_at": body["starts_at"]}
    r = api.post(path, doctor, json=reversed_body)
    assert r.status_code == 422 and "ends_at" in r.get_json()["error"]["fields"]
    assert (
        api.post(path, doctor, json={"starts_at": "2030-01-01T09:00:00", "ends_at": body["ends_at"]}).status_code == 422
    )
    other = make_doctor(db)
    assert api.post(path, api.login(other.doctor.user.email)["access_token"], json=body).status_code == 404
    assert api.post(path, token_for(make_user()), json=body).status_code == 403
