"""Reschedule, cancel, attendance, history, and who may see what (others' objects are 404)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from clinic.appointments import service as appointments
from clinic.appointments.models import Appointment, AppointmentHistory
from clinic.identity.actor import SYSTEM
from clinic.outbox.models import OutboxMessage
from tests.scheduling.factories import add_appointment, future_day, make_doctor


def _events(db, topic):
    return [
        m.payload
        for m in db.scalars(select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id))
    ]


def _book(api, token, setup, start, service_id=None):
    r = api.post(
        "/api/appointments",
        token,
        json={
            "doctor_id": setup.doctor.id,
            "service_id": service_id or setup.service_id,
            "starts_at": start.isoformat(),
        },
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_patient_reschedules_and_everything_is_recorded(api, db, make_user, token_for):
    setup = make_doctor(db)
    patient = make_user()
    token = token_for(patient)
    day = future_day()
    booked = _book(api, token, setup, setup.at(day, 9))
    r = api.patch(f"/api/appointments/{booked['id']}", token, json={"starts_at": setup.at(day, 9, 30).isoformat()})
    assert r.status_code == 200, r.get_json()
    moved = r.get_json()
    assert moved["starts_at"] == setup.at(day, 9, 30).isoformat() and moved["sequence"] == 1
    row = db.get(Appointment, booked["id"])
    db.refresh(row)
    assert row.scheduled_at is not None and row.updated_at >= row.created_at
    assert {
        "appointment_id": booked["id"],
        "previous_starts_at": setup.at(day, 9).astimezone(timezone.utc).isoformat(),
    } in _events(db, "appointment.rescheduled")
    staff = token_for(make_user("receptionist"))
    history = api.get(f"/api/appointments/{booked['id']}/history", staff).get_json()
    assert [(h["action"], h["actor_id"]) for h in history] == [("booked", patient.id), ("rescheduled", patient.id)]
    assert history[1]["old_starts_at"] == setup.at(day, 9).isoformat()
    # The old slot is free again, the new one is not.
    assert _book(api, token_for(make_user()), setup, setup.at(day, 9))["status"] == "booked"


def test_reschedule_follows_the_booking_rules(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    mine = _book(api, token, setup, setup.at(day, 9))
    _book(api, token_for(make_user()), setup, setup.at(day, 10))
    cases = [
        (setup.at(day, 10), "slot_taken"),
        (setup.at(day, 13), "outside_working_hours"),
        (datetime.now(timezone.utc) + timedelta(minutes=10), "too_soon"),
        (setup.at(future_day(400), 9), "too_far"),
    ]
    for start, code in cases:
        r = api.patch(f"/api/appointments/{mine['id']}", token, json={"starts_at": start.isoformat()})
        assert r.status_code == 409 and r.get_json()["error"]["code"] == code, (start, r.get_json())
    r = api.patch(f"/api/appointments/{mine['id']}", token, json={"starts_at": "2027-01-01T09:00:00"})
    assert r.status_code == 422
    # Moving onto its own current time passes the rules (the row does not block itself) and changes nothing.
    r = api.patch(f"/api/appointments/{mine['id']}", token, json={"starts_at": setup.at(day, 9).isoformat()})
    assert r.status_code == 200 and r.get_json()["sequence"] == 0
    # Moving to an overlapping time with its own current interval is fine too (an UPDATE of the same row).
    long = _book(api, token, setup, setup.at(day, 15), service_id=setup.long_service_id)  # 15:00-16:00 blocked
    r = api.patch(f"/api/appointments/{long['id']}", token, json={"starts_at": setup.at(day, 15, 45).isoformat()})
    assert r.status_code == 200 and r.get_json()["starts_at"] == setup.at(day, 15, 45).isoformat()


def test_patient_cancels_and_staff_see_who(api, db, make_user, token_for):
    setup = make_doctor(db)
    patient = make_user()
    token = token_for(patient)
    booked = _book(api, token, setup, setup.at(future_day(), 11))
    r = api.post(f"/api/appointments/{booked['id']}/cancel", token, json={"reason": "Viaje"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "cancelled" and body["sequence"] == 1 and body["cancellation_reason"] == "Viaje"
    assert body["late_cancellation"] is False
    assert {"appointment_id": booked["id"], "cause": "patient"} in _events(db, "appointment.cancelled")
    r = api.post(f"/api/appointments/{booked['id']}/cancel", token, json={})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_cancelled"
    r = api.patch(
        f"/api/appointments/{booked['id']}", token, json={"starts_at": setup.at(future_day(), 12).isoformat()}
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_cancelled"


def test_inside_the_cutoff_patients_cancel_late_but_cannot_move(api, db, make_user, token_for):
    setup = make_doctor(db)
    patient = make_user()
    soon = datetime.now(timezone.utc) + timedelta(hours=5)
    a = add_appointment(db, setup, patient.id, soon)
    b = add_appointment(db, setup, patient.id, soon + timedelta(hours=1))
    c = add_appointment(db, setup, patient.id, soon + timedelta(hours=2))
    started = add_appointment(db, setup, patient.id, datetime.now(timezone.utc) - timedelta(minutes=10))
    token = token_for(patient)
    r = api.patch(f"/api/appointments/{a.id}", token, json={"starts_at": setup.at(future_day(), 9).isoformat()})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "too_late_to_change"
    r = api.post(f"/api/appointments/{a.id}/cancel", token)
    assert r.status_code == 200 and r.get_json()["late_cancellation"] is True
    assert r.get_json()["status"] == "cancelled"
    assert {"appointment_id": a.id, "cause": "patient"} in _events(db, "appointment.cancelled")
    r = api.post(f"/api/appointments/{started.id}/cancel", token)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_started"
    r = api.post(f"/api/appointments/{c.id}/cancel", token_for(make_user("receptionist")), json={"reason": "llamó"})
    assert r.status_code == 200 and r.get_json()["late_cancellation"] is True
    assert {"appointment_id": c.id, "cause": "staff"} in _events(db, "appointment.cancelled")
    r = api.post(f"/api/appointments/{b.id}/cancel", token_for(setup.doctor.user))
    assert r.status_code == 200 and r.get_json()["late_cancellation"] is False
    assert {"appointment_id": b.id, "cause": "doctor"} in _events(db, "appointment.cancelled")
    assert appointments.late_cancellations(db, patient_id=patient.id) == 2
    r = api.get(f"/api/patients/{patient.id}/late-cancellations", token_for(make_user("receptionist")))
    assert r.get_json() == {"patient_id": patient.id, "late_cancellations": 2}
    assert api.get(f"/api/patients/{patient.id}/late-cancellations", token).get_json()["late_cancellations"] == 2
    assert api.get(f"/api/patients/{patient.id}/late-cancellations", token_for(make_user())).status_code == 404


def test_system_cancel_has_no_cutoff_and_no_author(db, make_user):
    setup = make_doctor(db)
    a = add_appointment(db, setup, make_user().id, datetime.now(timezone.utc) + timedelta(minutes=30))
    cancelled = appointments.cancel(db, actor=SYSTEM, appointment_id=a.id, reason="time off")
    assert cancelled.status == "cancelled" and cancelled.cancelled_by is None and cancelled.sequence == 1
    assert cancelled.late_cancellation is False
    history = db.scalars(select(AppointmentHistory).where(AppointmentHistory.appointment_id == a.id)).all()
    assert [(h.action, h.actor_id, h.details["cause"]) for h in history] == [("cancelled", None, "system")]
    assert {"appointment_id": a.id, "cause": "system"} in _events(db, "appointment.cancelled")


def test_attendance_only_once_started_and_only_from_booked(api, db, make_user, token_for):
    setup = make_doctor(db)
    doctor = token_for(setup.doctor.user)
    now = datetime.now(timezone.utc)
    past = add_appointment(db, setup, make_user().id, now - timedelta(hours=1))
    future = add_appointment(db, setup, make_user().id, now + timedelta(days=2))
    r = api.post(f"/api/appointments/{future.id}/attendance", doctor, json={"status": "completed"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_started"
    r = api.post(f"/api/appointments/{past.id}/attendance", doctor, json={"status": "no_show"})
    assert r.status_code == 200 and r.get_json()["status"] == "no_show" and r.get_json()["sequence"] == 1
    assert {"appointment_id": past.id, "status": "no_show"} in _events(db, "appointment.attendance")
    r = api.post(f"/api/appointments/{past.id}/attendance", doctor, json={"status": "completed"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "attendance_recorded"
    r = api.post(f"/api/appointments/{past.id}/cancel", doctor)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "attendance_recorded"
    r = api.post(f"/api/appointments/{past.id}/attendance", doctor, json={"status": "maybe"})
    assert r.status_code == 422
    api.post(f"/api/appointments/{future.id}/cancel", doctor)
    r = api.post(
        f"/api/appointments/{future.id}/attendance", token_for(make_user("admin")), json={"status": "completed"}
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_cancelled"


def test_other_peoples_appointments_are_404(api, db, make_user, token_for):
    setup, other_setup = make_doctor(db), make_doctor(db)
    owner, stranger = make_user(), make_user()
    a = add_appointment(db, setup, owner.id, datetime.now(timezone.utc) + timedelta(days=3))
    other_doctor = token_for(other_setup.doctor.user)
    for token in (token_for(stranger), other_doctor):
        assert api.get(f"/api/appointments/{a.id}", token).status_code == 404
        assert api.post(f"/api/appointments/{a.id}/cancel", token).status_code == 404
    assert (
        api.patch(
            f"/api/appointments/{a.id}", token_for(stranger), json={"starts_at": setup.at(future_day(), 9).isoformat()}
        ).status_code
        == 404
    )
    assert (
        api.post(f"/api/appointments/{a.id}/attendance", other_doctor, json={"status": "completed"}).status_code == 404
    )
    assert api.get(f"/api/appointments/{a.id}/history", other_doctor).status_code == 404
    assert api.get(f"/api/appointments/{a.id}/history", token_for(owner)).status_code == 403
    assert api.get("/api/appointments/999999999", token_for(make_user("admin"))).status_code == 404
    for token in (token_for(owner), token_for(setup.doctor.user), token_for(make_user("receptionist"))):
        assert api.get(f"/api/appointments/{a.id}", token).get_json()["id"] == a.id
    assert api.get(f"/api/appointments/{a.id}/history", token_for(setup.doctor.user)).status_code == 200


def test_listing_is_scoped_filtered_ordered_and_limited(api, db, make_user, token_for):
    setup, other_setup = make_doctor(db), make_doctor(db)
    p1, p2 = make_user(), make_user()
    day = future_day()
    a1 = add_appointment(db, setup, p1.id, setup.at(day, 12))
    a2 = add_appointment(db, setup, p2.id, setup.at(day, 9))
    a3 = add_appointment(db, other_setup, p1.id, other_setup.at(day + timedelta(days=3), 9), status="cancelled")

    def ids(token, query=""):
        r = api.get(f"/api/appointments?{query}", token)
        assert r.status_code == 200, r.get_json()
        return [a["id"] for a in r.get_json()]

    assert ids(token_for(p1)) == [a1.id, a3.id]
    # Another patient's id is 404 for a patient, as an id that is no patient's is (no probing who is one).
    assert api.get(f"/api/appointments?patient_id={p2.id}", token_for(p1)).status_code == 404
    assert ids(token_for(setup.doctor.user)) == [a2.id, a1.id]
    staff = token_for(make_user("receptionist"))
    assert ids(staff, f"doctor_id={setup.doctor.id}") == [a2.id, a1.id]
    assert ids(staff, f"patient_id={p1.id}&status=cancelled") == [a3.id]
    assert ids(staff, f"patient_id={p1.id}&from={day}&to={day}") == [a1.id]
    assert ids(staff, f"patient_id={p1.id}&from={day + timedelta(days=1)}") == [a3.id]
    assert ids(staff, f"doctor_id={setup.doctor.id}&limit=1") == [a2.id]
    for bad in ("limit=1001", "limit=0", "from=2027-13-01", "status=lost", "colour=red", "offset=1"):
        assert api.get(f"/api/appointments?{bad}", staff).status_code == 422, bad


def test_ids_beyond_bigint_are_404_or_422_never_5xx(api, db, make_user, token_for):
    staff = token_for(make_user("admin"))
    huge = 2**64
    for path in (
        f"/api/appointments/{huge}",
        f"/api/appointments/{huge}/history",
        f"/api/doctors/{huge}",
        f"/api/doctors/{huge}/slots?service_id=1&from=2027-01-01&to=2027-01-02",
    ):
        assert api.get(path, staff).status_code == 404, path
    assert api.post(f"/api/appointments/{huge}/cancel", staff).status_code == 404
    r = api.post(
        "/api/appointments",
        staff,
        json={"doctor_id": huge, "service_id": 1, "patient_id": 1, "starts_at": "2027-01-01T09:00:00+01:00"},
    )
    assert r.status_code == 422
    assert api.get(f"/api/appointments?doctor_id={huge}", staff).status_code == 422
    assert api.get(f"/api/doctors?clinic_id={huge}", staff).status_code == 422


def test_nul_characters_are_422_not_a_database_error(api, db, make_user, token_for):
    admin = token_for(make_user("admin"))
    assert api.post("/api/clinics", admin, json={"name": "A\x00B", "timezone": "UTC"}).status_code == 422
    setup = make_doctor(db)
    r = api.post(
        "/api/appointments",
        token_for(make_user()),
        json={
            "doctor_id": setup.doctor.id,
            "service_id": setup.service_id,
            "reason": "x\x00",
            "starts_at": setup.at(future_day(), 9).isoformat(),
        },
    )
    assert r.status_code == 422
