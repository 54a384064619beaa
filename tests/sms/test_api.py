"""Phone and consent (PATCH /api/me, PATCH /api/patients/{id}), Twilio's signed inbound replies
(POST /api/sms/inbound), the confirmation state in appointment JSON and the no-reply list."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from clinic.appointments.models import Appointment
from tests.scheduling.factories import add_appointment, make_doctor
from tests.sms.conftest import mobile
from tests.support.fake_twilio import FakeTwilio, signature

NOW = datetime.now(timezone.utc)


@pytest.fixture()
def sms_app(app):
    """The test app with the SMS channel configured (settings restored afterwards)."""
    before = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(
        before,
        twilio_account_sid=FakeTwilio.SID,
        twilio_auth_token=FakeTwilio.TOKEN,
        twilio_from="+34900000000",
        public_url="https://clinic.example",
    )
    yield app
    app.config["SETTINGS"] = before


def reply(
    client,
    from_: str,
    body: str,
    *,
    sid: str | None = None,
    token: str = FakeTwilio.TOKEN,
    url: str = "https://clinic.example/api/sms/inbound",
    extra: dict | None = None,
):
    params = {
        "From": from_,
        "To": "+34900000000",
        "Body": body,
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": FakeTwilio.SID,
        **(extra or {}),
    }
    return client.post(
        "/api/sms/inbound",
        data=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(token, url, params),
        },
    )


def patient_with_phone(db, make_user, locale="es", opt_in=True):
    user = make_user("patient", locale=locale)
    user.phone, user.sms_opt_in, user.sms_opt_in_at = mobile(), opt_in, NOW if opt_in else None
    db.flush()
    return user


# -- consent ---------------------------------------------------------------------------------------------
def test_a_patient_gives_a_phone_and_opts_in(api, make_user, token_for, db):
    patient = make_user("patient")
    token = token_for(patient)
    r = api.patch("/api/me", token, json={"sms_opt_in": True})
    assert r.status_code == 422 and "sms_opt_in" in r.get_json()["error"]["fields"]
    r = api.patch("/api/me", token, json={"phone": "+34 612 34 56 78", "sms_opt_in": True})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["phone"] == "+34612345678" and body["sms_opt_in"] is True and body["sms_opt_in_at"]
    db.refresh(patient)
    assert patient.sms_consent_by == patient.id and patient.sms_opt_in_at is not None
    assert api.get("/api/me", token).get_json()["sms_opt_in"] is True
    # A new number needs a new consent.
    r = api.patch("/api/me", token, json={"phone": "+34 699 11 22 33"})
    assert r.get_json()["sms_opt_in"] is False and r.get_json()["phone"] == "+34699112233"
    r = api.patch("/api/me", token, json={"sms_opt_in": True})
    assert r.get_json()["sms_opt_in"] is True
    r = api.patch("/api/me", token, json={"sms_opt_in": False})
    assert r.get_json()["sms_opt_in"] is False
    db.refresh(patient)
    assert patient.sms_opt_out_at is not None


@pytest.mark.parametrize(
    "phone,why",
    [
        ("612345678", "international format"),
        ("+34 123", "not a valid"),
        ("+1 555 abc", "not"),
        ("+999999999999", "not"),
    ],
)
def test_a_bad_phone_is_a_clear_422(api, make_user, token_for, phone, why):
    r = api.patch("/api/me", token_for(make_user("patient")), json={"phone": phone, "sms_opt_in": True})
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert why in error["message"] and error["fields"]["phone"]  # the field names a code; the message says why


def test_the_front_desk_records_a_walk_ins_phone_and_consent(api, make_user, token_for, db):
    desk = make_user("receptionist")
    walk_in = make_user("patient")
    doctor = make_user("doctor")
    r = api.patch(f"/api/patients/{walk_in.id}", token_for(desk), json={"phone": "+44 7911 123456", "sms_opt_in": True})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["phone"] == "+447911123456" and r.get_json()["sms_opt_in"] is True
    db.refresh(walk_in)
    assert walk_in.sms_consent_by == desk.id
    assert api.patch(f"/api/patients/{doctor.id}", token_for(desk), json={"sms_opt_in": False}).status_code == 404
    assert api.patch("/api/patients/999999999", token_for(desk), json={"sms_opt_in": False}).status_code == 404
    assert (
        api.patch(
            f"/api/patients/{walk_in.id}", token_for(make_user("patient")), json={"sms_opt_in": False}
        ).status_code
        == 403
    )
    assert api.patch(f"/api/patients/{walk_in.id}", token_for(desk), json={}).status_code == 422


# -- inbound replies -------------------------------------------------------------------------------------
@pytest.fixture()
def booked(db, make_user):
    setup = make_doctor(db)
    patient = patient_with_phone(db, make_user)
    soon = add_appointment(db, setup, patient.id, NOW + timedelta(days=3))
    later = add_appointment(db, setup, patient.id, NOW + timedelta(days=10))
    return setup, patient, soon, later


def _outbox(db) -> list[tuple]:
    return [tuple(r) for r in db.execute(text("SELECT topic, payload->>'appointment_id' FROM outbox ORDER BY id"))]


def test_yes_confirms_the_next_appointment_and_staff_see_it(sms_app, client, api, db, booked, make_user, token_for):
    setup, patient, soon, later = booked
    r = reply(client, patient.phone, " Sí, gracias ")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    assert "<Message>Gracias. Tu cita del" in r.get_data(as_text=True) and "confirmada" in r.get_data(as_text=True)
    db.refresh(soon)
    db.refresh(later)
    assert soon.confirmed_at is not None and soon.confirmed_via == "sms" and later.confirmed_at is None
    desk = token_for(make_user("receptionist"))
    assert api.get(f"/api/appointments/{soon.id}", desk).get_json()["confirmation"] == "confirmed"
    assert api.get(f"/api/appointments/{later.id}", desk).get_json()["confirmation"] == "unconfirmed"
    listed = {
        a["id"]: a["confirmation"] for a in api.get(f"/api/appointments?clinic_id={setup.clinic_id}", desk).get_json()
    }
    assert listed == {soon.id: "confirmed", later.id: "unconfirmed"}


@pytest.mark.parametrize("word", ["NO", "cancelar", "Cancel.", "2"])
def test_no_cancels_it_as_the_patients_own_cancel_would(word, sms_app, client, api, db, booked, make_user, token_for):
    setup, patient, soon, later = booked
    db.execute(text("DELETE FROM outbox"))
    r = reply(client, patient.phone, word)
    assert r.status_code == 200 and "cancelada" in r.get_data(as_text=True)
    db.refresh(soon)
    assert soon.status == "cancelled" and soon.cancelled_via == "sms" and soon.cancelled_by == patient.id
    assert db.get(Appointment, later.id).status == "booked"
    assert ("appointment.cancelled", str(soon.id)) in _outbox(db)  # the CANCEL invitation and the waitlist offer
    history = api.get(f"/api/appointments/{soon.id}/history", token_for(make_user("admin"))).get_json()
    assert history[-1]["action"] == "cancelled" and history[-1]["details"]["cause"] == "patient"
    desk = token_for(make_user("receptionist"))
    assert api.get(f"/api/appointments/{soon.id}", desk).get_json()["confirmation"] == "cancelled_by_sms"


def test_a_retried_webhook_acts_once(sms_app, client, db, booked):
    _, patient, soon, later = booked
    sid = "SM" + uuid.uuid4().hex
    assert reply(client, patient.phone, "NO", sid=sid).status_code == 200
    again = reply(client, patient.phone, "NO", sid=sid)
    assert again.status_code == 200 and "<Message>" not in again.get_data(as_text=True)
    db.expire_all()
    assert db.get(Appointment, soon.id).status == "cancelled"
    assert db.get(Appointment, later.id).status == "booked"  # not the next one too


def test_stop_opts_out_and_anything_else_gets_help(sms_app, client, db, booked):
    _, patient, soon, _ = booked
    r = reply(client, "whatsapp:" + patient.phone, "hola?")
    assert "Responde SI para confirmar" in r.get_data(as_text=True)
    db.expire_all()
    assert db.get(Appointment, soon.id).status == "booked" and db.get(Appointment, soon.id).confirmed_at is None
    r = reply(client, patient.phone, "BAJA")
    assert "No te enviaremos" in r.get_data(as_text=True)
    db.refresh(patient)
    assert patient.sms_opt_in is False and patient.sms_opt_out_at is not None


def test_english_patients_get_english_answers(sms_app, client, db, make_user):
    setup = make_doctor(db)
    patient = patient_with_phone(db, make_user, locale="en")
    add_appointment(db, setup, patient.id, NOW + timedelta(days=2))
    assert "Reply YES to confirm" in reply(client, patient.phone, "what").get_data(as_text=True)
    assert "is confirmed" in reply(client, patient.phone, "YES").get_data(as_text=True)


def _state(db) -> tuple:
    return tuple(
        db.execute(
            text(
                "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM sms_replies), "
                "(SELECT count(*) FROM appointments WHERE status = 'cancelled' OR confirmed_at "
                "IS NOT NULL), (SELECT count(*) FROM users WHERE sms_opt_out_at IS NOT NULL)"
            )
        ).one()
    )


def test_a_bad_signature_is_403_and_changes_nothing(sms_app, client, db, booked):
    _, patient, soon, _ = booked
    before = _state(db)
    for r in (
        reply(client, patient.phone, "NO", token="wrong-token"),
        reply(client, patient.phone, "NO", url="https://evil.example/api/sms/inbound"),
        client.post("/api/sms/inbound", data={"From": patient.phone, "Body": "NO", "MessageSid": "SM1"}),
    ):
        assert r.status_code == 403
        assert r.get_json()["error"]["code"] == "bad_signature"
    db.expire_all()
    assert _state(db) == before and db.get(Appointment, soon.id).status == "booked"


def test_without_twilio_settings_every_inbound_is_403(app, client, db, booked):
    _, patient, soon, _ = booked
    assert reply(client, patient.phone, "NO").status_code == 403
    db.expire_all()
    assert db.get(Appointment, soon.id).status == "booked"


def test_an_unknown_number_changes_nothing(sms_app, client, db, booked):
    before = _state(db)
    r = reply(client, mobile(), "NO")
    assert r.status_code == 200 and "<Message>" not in r.get_data(as_text=True)
    after = _state(db)
    assert after[0] == before[0] and after[2:] == before[2:]  # only the reply itself is recorded


def test_too_late_to_cancel_by_sms_says_so(sms_app, client, db, make_user):
    """Inside the change cutoff a cancel by SMS is what the patient's own cancel is: a late cancellation,
    said so in the answer (written in GSM-7, as every text: "cancelación tardía" loses its accents)."""
    setup = make_doctor(db)
    patient = patient_with_phone(db, make_user)
    soon = add_appointment(db, setup, patient.id, NOW + timedelta(hours=3))
    body = reply(client, patient.phone, "NO").get_data(as_text=True)
    db.expire_all()
    status = db.get(Appointment, soon.id).status
    assert status == "cancelled" and "cancelacion tardia" in body


# -- the no-reply list -------------------------------------------------------------------------------------
def test_the_no_reply_list_shows_tomorrows_unconfirmed(sms_app, client, api, db, make_user, token_for):
    setup = make_doctor(db)
    tomorrow = (datetime.now(timezone.utc).astimezone(setup.tz) + timedelta(days=1)).date()
    quiet, answered = patient_with_phone(db, make_user), patient_with_phone(db, make_user)
    a = add_appointment(db, setup, quiet.id, setup.at(tomorrow, 10))
    b = add_appointment(db, setup, answered.id, setup.at(tomorrow, 11))
    add_appointment(db, setup, quiet.id, setup.at(tomorrow + timedelta(days=1), 10))  # not tomorrow
    b.confirmed_at, b.confirmed_via = NOW, "sms"
    db.flush()
    desk = token_for(make_user("receptionist"))
    r = api.get(f"/api/appointments/no-reply?clinic_id={setup.clinic_id}", desk)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["date"] == tomorrow.isoformat() and [i["id"] for i in body["items"]] == [a.id]
    assert body["items"][0]["patient_phone"] == quiet.phone and body["items"][0]["sms_sent"] is False
    assert body["items"][0]["confirmation"] == "unconfirmed"
    assert (
        api.get(f"/api/appointments/no-reply?clinic_id={setup.clinic_id}", token_for(make_user("patient"))).status_code
        == 403
    )
    assert api.get("/api/appointments/no-reply?clinic_id=999999999", desk).status_code == 404
    r = api.get(f"/api/appointments/no-reply?clinic_id={setup.clinic_id}&date=2027-02-30", desk)
    assert r.status_code == 422 and "date" in r.get_json()["error"]["fields"]
    assert api.get("/api/appointments/no-reply", desk).status_code == 422


def test_moving_an_appointment_drops_its_confirmation(db, make_user):
    from clinic.appointments import service as appointments
    from clinic.identity.actor import Actor
    from tests.conftest import make_settings

    setup = make_doctor(db)
    patient = make_user("patient")
    day = (NOW + timedelta(days=5)).astimezone(setup.tz).date()
    appointment = add_appointment(db, setup, patient.id, setup.at(day, 10))
    appointment.confirmed_at, appointment.confirmed_via = NOW, "sms"
    db.flush()
    appointments.reschedule(
        db,
        actor=Actor(patient.id, "patient"),
        appointment_id=appointment.id,
        starts_at=setup.at(day, 11),
        settings=make_settings(),
    )
    assert appointment.confirmed_at is None and appointment.confirmed_via is None


def test_signing_in_answers_the_consent_time_in_iso_8601(api, make_user, token_for, db):
    patient = patient_with_phone(db, make_user)
    r = api.post("/api/auth/login", json={"email": patient.email, "password": "Correct-Horse-9"})
    assert r.status_code == 200, r.get_json()
    assert datetime.fromisoformat(r.get_json()["user"]["sms_opt_in_at"]) == NOW
