"""The manage link's API: see, add to a calendar, move and cancel without signing in, under the patient's
own rules; every use in the appointment's history with its channel; nothing else reachable."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from clinic.appointments.models import AppointmentHistory
from clinic.manage.models import ManageLink
from tests.scheduling.factories import add_appointment, future_day


def _history(db, appointment_id):
    return db.scalars(
        select(AppointmentHistory)
        .where(AppointmentHistory.appointment_id == appointment_id)
        .order_by(AppointmentHistory.id)
    ).all()


def test_the_link_shows_the_appointment_with_calendar_links_and_its_history_has_the_channel(api, db, booked, mint):
    appt = booked.appointment
    token = mint(appt["id"], "email")
    assert len(token) == 22  # 128 bits, base64url
    stored = db.scalar(select(ManageLink).where(ManageLink.appointment_id == appt["id"]))
    assert token.encode() not in stored.token_hash and len(stored.token_hash) == 32  # only a keyed hash
    r = api.get(f"/api/manage/{token}")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["kind"] == "appointment" and body["id"] == appt["id"] and body["status"] == "booked"
    assert body["starts_at"] == booked.setup.at(booked.day, 9).isoformat()  # in the clinic's zone
    assert body["timezone"] == "Europe/Madrid" and body["clinic_address"] == "Calle Mayor 1"
    assert body["doctor_name"] == "Dra. Test" and body["service_name"] == "Consulta"
    assert body["can_change"] is True and body["can_cancel"] is True and body["late_if_cancelled"] is False
    assert body["change_until"] == (booked.setup.at(booked.day, 9) - timedelta(hours=24)).isoformat()
    # Nothing clinical, nothing about the account.
    assert "reason" not in body and "patient_id" not in body and "Dolor" not in r.get_data(as_text=True)
    google, outlook = body["calendar"]["google"], body["calendar"]["outlook"]
    assert google.startswith("https://calendar.google.com/calendar/render?") and f"%2Fa%2F{token}" in google
    assert outlook.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    start_utc = booked.setup.at(booked.day, 9).astimezone(timezone.utc)
    assert (
        f"dates={start_utc:%Y%m%dT%H%M%SZ}%2F" in google and f"startdt={start_utc:%Y-%m-%dT%H%%3A%M%%3A%SZ}" in outlook
    )
    ics = api.get(body["calendar"]["ics"])
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    text = ics.get_data(as_text=True)
    assert "BEGIN:VEVENT" in text and "METHOD:PUBLISH" in text and "Dolor" not in text
    opened = [h for h in _history(db, appt["id"]) if h.action == "link_opened"]
    assert [(h.actor_id, h.details) for h in opened] == [
        (booked.patient.id, {"via": "manage_link", "channel": "email"})
    ]


def test_slots_and_move_follow_the_patients_own_rules(api, db, booked, mint, make_user, token_for):
    setup, day, appt = booked.setup, booked.day, booked.appointment
    token = mint(appt["id"], "sms")
    r = api.get(f"/api/manage/{token}/slots?from={day}&to={day}")
    assert r.status_code == 200
    starts = [s["starts_at"] for s in r.get_json()["slots"]]
    assert setup.at(day, 9, 30).isoformat() in starts and setup.at(day, 9).isoformat() not in starts
    assert api.get(f"/api/manage/{token}/slots?from={day}").status_code == 422
    # Someone else takes 10:00.
    other = api.post(
        "/api/appointments",
        token_for(make_user()),
        json={"doctor_id": setup.doctor.id, "service_id": setup.service_id, "starts_at": setup.at(day, 10).isoformat()},
    )
    assert other.status_code == 201
    for start, code in [
        (setup.at(day, 10), "slot_taken"),
        (setup.at(day, 13), "outside_working_hours"),
        (datetime.now(timezone.utc) + timedelta(minutes=10), "too_soon"),
        (setup.at(future_day(400), 9), "too_far"),
    ]:
        r = api.patch(f"/api/manage/{token}", json={"starts_at": start.isoformat()})
        assert r.status_code == 409 and r.get_json()["error"]["code"] == code, (start, r.get_json())
    for bad in ({}, {"starts_at": "2027-01-01T09:00:00"}, {"starts_at": setup.at(day, 9, 30).isoformat(), "x": 1}):
        r = api.patch(f"/api/manage/{token}", json=bad)
        assert r.status_code == 422 and r.get_json()["error"]["fields"], bad
    r = api.patch(f"/api/manage/{token}", json={"starts_at": setup.at(day, 9, 30).isoformat()})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["starts_at"] == setup.at(day, 9, 30).isoformat() and r.get_json()["sequence"] == 1
    moved = [h for h in _history(db, appt["id"]) if h.action == "rescheduled"]
    assert [(h.actor_id, h.details) for h in moved] == [(booked.patient.id, {"via": "manage_link", "channel": "sms"})]
    # Staff see the channel in the history endpoint too.
    history = api.get(f"/api/appointments/{appt['id']}/history", token_for(make_user("receptionist"))).get_json()
    assert history[-1]["action"] == "rescheduled" and history[-1]["details"]["channel"] == "sms"


def test_cancel_early_and_late_as_the_patients_own_cancel(api, db, booked, mint, make_user):
    early = mint(booked.appointment["id"])
    r = api.post(f"/api/manage/{early}/cancel", json={"reason": "Viaje"})
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert r.get_json()["late_cancellation"] is False and r.get_json()["can_cancel"] is False
    assert r.get_json()["calendar"] is None
    r = api.post(f"/api/manage/{early}/cancel", json={})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_cancelled"
    assert api.get(f"/api/manage/{early}").get_json()["status"] == "cancelled"  # still viewable until its end
    # Inside the cutoff: no moves, a cancellation is late (and counted).
    soon = add_appointment(db, booked.setup, booked.patient.id, datetime.now(timezone.utc) + timedelta(hours=5))
    late = mint(soon.id, "sms")
    body = api.get(f"/api/manage/{late}").get_json()
    assert body["can_change"] is False and body["can_cancel"] is True and body["late_if_cancelled"] is True
    r = api.patch(f"/api/manage/{late}", json={"starts_at": booked.setup.at(future_day(20), 9).isoformat()})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "too_late_to_change"
    r = api.post(f"/api/manage/{late}/cancel")
    assert r.status_code == 200 and r.get_json()["late_cancellation"] is True
    cancelled = [h for h in _history(db, soon.id) if h.action == "cancelled"]
    assert cancelled[0].details == {
        "cause": "patient",
        "reason": None,
        "late": True,
        "via": "manage_link",
        "channel": "sms",
    }
    # Once started, the patient can no longer cancel.
    started = add_appointment(db, booked.setup, booked.patient.id, datetime.now(timezone.utc) - timedelta(minutes=5))
    r = api.post(f"/api/manage/{mint(started.id)}/cancel")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_started"


def test_dead_and_foreign_tokens_are_404_everywhere(api, db, booked, mint):
    ended = add_appointment(db, booked.setup, booked.patient.id, datetime.now(timezone.utc) - timedelta(hours=2))
    dead = mint(ended.id)
    live = mint(booked.appointment["id"])
    day = booked.day
    for token in (dead, live[:-1] + ("A" if live[-1] != "A" else "B"), "x", "a" * 200, live + "=", live.upper()):
        for method, path, body in (
            ("GET", "", None),
            ("GET", f"/slots?from={day}&to={day}", None),
            ("PATCH", "", {"starts_at": booked.setup.at(day, 10).isoformat()}),
            ("POST", "/cancel", {}),
            ("POST", "/accept", None),
            ("GET", "/ics", None),
        ):
            r = api.call(method, f"/api/manage/{token}{path}", json=body)
            assert r.status_code == 404, (token, method, path, r.status_code)
            assert r.get_json()["error"]["code"] == "not_found"
    # An appointment's token accepts no offer; the appointment was not touched by any of it.
    assert api.get(f"/api/manage/{live}").get_json()["sequence"] == 0


def test_the_token_opens_nothing_but_its_appointment(app, api, db, booked, mint):
    token = mint(booked.appointment["id"])
    stranger = app.test_client()  # no sign-in cookies (the fixture's client signed the patient in)
    patient = booked.patient
    mine_too = add_appointment(db, booked.setup, patient.id, booked.setup.at(future_day(20), 9))
    for path in (
        f"/api/appointments/{booked.appointment['id']}",
        f"/api/appointments/{mine_too.id}",
        "/api/me",
        "/api/appointments",
        f"/api/patients/{patient.id}/record",
        f"/api/appointments/{mine_too.id}/ics",
        "/api/me/calendar",
    ):
        for headers in ({"Authorization": f"Bearer {token}"}, {"Cookie": f"access_token_cookie={token}"}):
            r = stranger.get(path, headers=headers)
            assert r.status_code == 401, (path, headers, r.status_code)
    # Another appointment's id in the path of this token names nothing.
    assert api.get(f"/api/manage/{token}/{mine_too.id}").status_code == 404
    assert (
        api.patch(
            f"/api/manage/{token}",
            json={"starts_at": booked.setup.at(booked.day, 10).isoformat(), "appointment_id": mine_too.id},
        ).status_code
        == 422
    )
    # The other appointment did not change.
    db.refresh(mine_too)
    assert mine_too.sequence == 0 and mine_too.status == "booked"
