"""Booking through the API: the happy path and every 409/422 it can answer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from clinic.appointments.models import Appointment, AppointmentHistory
from clinic.outbox.models import OutboxMessage
from clinic.scheduling.models import TimeOff
from tests.scheduling.factories import future_day, make_doctor


def _book(api, token, setup, starts_at, **extra):
    body = {
        "doctor_id": setup.doctor.id,
        "service_id": extra.pop("service_id", setup.service_id),
        "starts_at": starts_at if isinstance(starts_at, str) else starts_at.isoformat(),
        **extra,
    }
    return api.post("/api/appointments", token, json=body)


def test_patient_books_a_free_slot(api, db, make_user, token_for):
    setup = make_doctor(db)
    patient = make_user("patient", full_name="Ana Paciente")
    day = future_day()
    start = setup.at(day, 9, 30).astimezone(timezone.utc)  # the client may send UTC
    r = _book(api, token_for(patient), setup, start, reason="Dolor de pecho")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["starts_at"] == setup.at(day, 9, 30).isoformat()  # answered in the clinic's offset
    assert body["ends_at"] == setup.at(day, 10).isoformat()
    assert body["status"] == "booked" and body["patient_id"] == patient.id and body["sequence"] == 0
    assert body["patient_name"] == "Ana Paciente" and body["service_name"] == "Consulta"
    assert body["doctor_name"] == "Dra. Test" and body["timezone"] == "Europe/Madrid"
    assert body["reason"] == "Dolor de pecho" and body["clinic_id"] == setup.clinic_id
    history = db.scalars(select(AppointmentHistory).where(AppointmentHistory.appointment_id == body["id"])).all()
    assert [(h.action, h.actor_id) for h in history] == [("booked", patient.id)]
    events = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "appointment.booked")).all()
    assert {"appointment_id": body["id"]} in [e.payload for e in events]
    slots = api.get(
        f"/api/doctors/{setup.doctor.id}/slots?service_id={setup.service_id}&from={day}&to={day}", token_for(patient)
    ).get_json()["slots"]
    assert setup.at(day, 9, 30).isoformat() not in [s["starts_at"] for s in slots]


def test_taken_slot_and_overlapping_misaligned_service_are_409(api, db, make_user, token_for):
    setup = make_doctor(db)
    day = future_day()
    assert _book(api, token_for(make_user()), setup, setup.at(day, 10)).status_code == 201
    r = _book(api, token_for(make_user()), setup, setup.at(day, 10))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "slot_taken"
    # The 45-minute service's grid (09:00, 09:45, ...) is misaligned with the 30-minute one: 09:45-10:30 overlaps.
    r = _book(api, token_for(make_user()), setup, setup.at(day, 9, 45), service_id=setup.long_service_id)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "slot_taken"
    # ...while 09:00 + 45 min + 15 min of buffer ends exactly at 10:00: half-open intervals touch, no overlap.
    r = _book(api, token_for(make_user()), setup, setup.at(day, 9), service_id=setup.long_service_id)
    assert r.status_code == 201


def test_buffer_blocks_the_following_slot(api, db, make_user, token_for):
    setup = make_doctor(db)
    day = future_day()
    assert (
        _book(api, token_for(make_user()), setup, setup.at(day, 15), service_id=setup.long_service_id).status_code
        == 201
    )  # busy 15:00-16:00 with the buffer
    r = _book(api, token_for(make_user()), setup, setup.at(day, 15, 30))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "slot_taken"
    assert _book(api, token_for(make_user()), setup, setup.at(day, 16)).status_code == 201


def test_patient_cannot_hold_two_overlapping_appointments(api, db, make_user, token_for):
    first, second = make_doctor(db), make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    assert _book(api, token, first, first.at(day, 11)).status_code == 201
    r = _book(api, token, second, second.at(day, 11))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "patient_busy"


def test_outside_working_hours_and_off_grid_are_409(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    for start in (
        setup.at(day, 8, 30),
        setup.at(day, 13),
        setup.at(day, 18, 45),
        setup.at(day, 9, 10),
        setup.at(day, 9).replace(second=1),
        setup.at(day, 9).replace(microsecond=500000),
    ):
        r = _book(api, token, setup, start)
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "outside_working_hours", start


def test_too_soon_and_too_far(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    now = datetime.now(timezone.utc)
    r = _book(api, token, setup, now + timedelta(minutes=30))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "too_soon"
    r = _book(api, token, setup, now - timedelta(days=2))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "too_soon"
    r = _book(api, token, setup, setup.at(future_day(400), 9))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "too_far"


def test_doctor_unavailable(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    db.add(TimeOff(doctor_id=setup.doctor.id, starts_at=setup.at(day, 9), ends_at=setup.at(day, 11)))
    db.flush()
    r = _book(api, token, setup, setup.at(day, 10, 30))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "doctor_unavailable"
    other = make_doctor(db)
    r = _book(api, token, setup, setup.at(day, 12), service_id=other.service_id)  # a service he does not offer
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "doctor_unavailable"
    setup.doctor.active = False
    db.flush()
    r = _book(api, token, setup, setup.at(day, 12))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "doctor_unavailable"


def test_malformed_input_is_422(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    naive = setup.at(day, 9).replace(tzinfo=None).isoformat()
    for bad in (
        {"starts_at": naive},
        {"starts_at": "next tuesday"},
        {"starts_at": f"{day}T25:00:00+01:00"},
        {"starts_at": setup.at(day, 9).isoformat(), "colour": "red"},
        {"starts_at": setup.at(day, 9).isoformat(), "doctor_id": "x"},
    ):
        body = {"doctor_id": setup.doctor.id, "service_id": setup.service_id, **bad}
        r = api.post("/api/appointments", token, json=body)
        assert r.status_code == 422, bad
        assert r.get_json()["error"]["code"] == "validation_error"


def test_patients_book_only_for_themselves_and_staff_must_name_a_patient(api, db, make_user, token_for):
    setup = make_doctor(db)
    day = future_day()
    other = make_user("patient")
    r = _book(api, token_for(make_user()), setup, setup.at(day, 9), patient_id=other.id)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    staff = token_for(make_user("receptionist"))
    r = _book(api, staff, setup, setup.at(day, 9))
    assert r.status_code == 422 and "patient_id" in r.get_json()["error"]["fields"]
    r = _book(api, staff, setup, setup.at(day, 9), patient_id=make_user("doctor").id)
    assert r.status_code == 404
    r = _book(api, staff, setup, setup.at(day, 9), patient_id=other.id)
    assert r.status_code == 201 and r.get_json()["patient_id"] == other.id
    assert _book(api, token_for(make_user("doctor")), setup, setup.at(day, 10)).status_code == 403


def test_unknown_doctor_or_service_is_404(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    assert (
        api.post(
            "/api/appointments",
            token,
            json={"doctor_id": 10**9, "service_id": setup.service_id, "starts_at": setup.at(day, 9).isoformat()},
        ).status_code
        == 404
    )
    assert _book(api, token, setup, setup.at(day, 9), service_id=10**9).status_code == 404


def test_every_offered_slot_is_bookable_and_nothing_else_is(db, make_user):
    """Slots and booking share one rule, DST days included (Madrid fall-back, service-level with a fixed now)."""
    import json
    from datetime import date, time

    import pytest

    from clinic.appointments import service as appointments
    from clinic.availability.service import slots
    from web.schemas.scheduling import slots_json
    from clinic.errors import Conflict
    from clinic.identity.actor import Actor
    from tests.conftest import make_settings

    settings = make_settings()
    setup = make_doctor(db, hours=[(time(1), time(4)), (time(9), time(10))], weekdays=[5, 6])
    now = datetime(2027, 6, 1, tzinfo=timezone.utc)
    staff = Actor(user_id=make_user("receptionist").id, role="receptionist")
    offered = json.loads(
        slots_json(
            slots(
                db,
                actor=staff,
                doctor_id=setup.doctor.id,
                service_id=setup.service_id,
                first=date(2027, 10, 30),
                last=date(2027, 10, 31),
                now=now,
                settings=settings,
            )
        ).body
    )["slots"]
    assert len(offered) == 6 + 2 + 8 + 2
    for start in ("2027-10-31T02:15:00+01:00", "2027-10-31T04:00:00+01:00", "2027-10-30T10:00:00+02:00"):
        with pytest.raises(Conflict) as err:
            appointments.book(
                db,
                actor=staff,
                doctor_id=setup.doctor.id,
                service_id=setup.service_id,
                starts_at=datetime.fromisoformat(start),
                patient_id=make_user().id,
                settings=settings,
                now=now,
            )
        assert err.value.code == "outside_working_hours", start
    for slot in offered:
        start = datetime.fromisoformat(slot["starts_at"])
        view = appointments.book(
            db,
            actor=staff,
            doctor_id=setup.doctor.id,
            service_id=setup.service_id,
            starts_at=start,
            patient_id=make_user().id,
            settings=settings,
            now=now,
        )
        # (compare instants: PEP 495 makes times in a fold unequal to any other zone's datetimes)
        assert view.starts_at.timestamp() == start.timestamp()
        assert view.starts_at.isoformat() == slot["starts_at"] and view.ends_at.isoformat() == slot["ends_at"]


def test_a_refused_off_grid_booking_leaves_nothing_behind(db, make_user):
    """An off-grid start is refused without a row, history entry or outbox message written."""
    import pytest

    from clinic.appointments import service as appointments
    from clinic.errors import Conflict
    from clinic.identity.actor import Actor
    from tests.conftest import make_settings

    setup = make_doctor(db)
    patient = make_user()
    with pytest.raises(Conflict) as err:
        appointments.book(
            db,
            actor=Actor(user_id=patient.id, role="patient"),
            doctor_id=setup.doctor.id,
            service_id=setup.service_id,
            starts_at=setup.at(future_day(), 9, 10),
            settings=make_settings(),
        )
    assert err.value.code == "outside_working_hours"
    assert db.scalar(select(func.count()).select_from(Appointment).where(Appointment.patient_id == patient.id)) == 0
    assert (
        db.scalar(select(func.count()).select_from(AppointmentHistory).where(AppointmentHistory.actor_id == patient.id))
        == 0
    )
    assert not [m for m in db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "appointment.booked"))]


def test_a_booking_is_judged_on_the_hours_as_they_are_now_not_as_last_seen(db, make_user):
    """Booking bets on the grid this process last saw for (doctor, service); the statement refuses a stale bet."""
    from datetime import time

    import pytest

    from clinic.appointments import service as appointments
    from clinic.errors import Conflict
    from clinic.identity.actor import Actor
    from clinic.scheduling.calendar import Interval, replace_working_hours
    from clinic.scheduling.models import Service
    from tests.conftest import make_settings
    from tests.scheduling.factories import WEEKDAYS

    setup, day = make_doctor(db), future_day()
    staff = Actor(user_id=make_user("receptionist").id, role="receptionist")

    def book(hh, mm=0):
        return appointments.book(
            db,
            actor=staff,
            doctor_id=setup.doctor.id,
            service_id=setup.service_id,
            starts_at=setup.at(day, hh, mm),
            patient_id=make_user().id,
            settings=make_settings(),
        )

    assert book(9).starts_at == setup.at(day, 9)  # learnt: 09:00-13:00 and 15:00-19:00, 30 minutes
    replace_working_hours(db, doctor=setup.doctor, intervals=[Interval(d, time(10, 15), time(12)) for d in WEEKDAYS])
    db.flush()
    with pytest.raises(Conflict) as err:
        book(10)  # on the old grid only
    assert err.value.code == "outside_working_hours"
    assert book(10, 15).starts_at == setup.at(day, 10, 15)  # on the new grid only
    db.get(Service, setup.service_id).duration_minutes = 35
    db.flush()
    with pytest.raises(Conflict) as err:
        book(11, 15)  # 10:15 + 2 × 30 min: on the 30-minute grid only
    assert err.value.code == "outside_working_hours"
    assert book(11, 25).ends_at == setup.at(day, 12)  # 10:15 + 2 × 35 min
    assert db.scalar(select(func.count()).select_from(Appointment).where(Appointment.doctor_id == setup.doctor.id)) == 3


def test_booking_checks_the_account_in_its_statement_and_a_revoked_token_only_ever_gets_401(
    api, db, make_user, token_for
):
    """POST /api/appointments checks the token's account inside the booking statement: a logged-out token
    or a disabled account gets 401 and books nothing, also on the paths that answer before the statement
    runs (422, 403, 409 too_soon / off the grid), which a valid token still gets."""
    from clinic.identity.models import User

    setup, day = make_doctor(db), future_day()
    other = make_user()

    def answers(token, free_hour):
        soon = datetime.now(timezone.utc) + timedelta(minutes=5)
        return [
            _book(api, token, setup, setup.at(day, free_hour)).status_code,  # a free slot
            _book(api, token, setup, setup.at(day, 9), reason=7).status_code,  # 422: not a string
            _book(api, token, setup, setup.at(day, 9), patient_id=other.id).status_code,  # 403
            _book(api, token, setup, soon).status_code,  # 409 too_soon
            _book(api, token, setup, setup.at(day, 9, 10)).status_code,
        ]  # 409 off the grid

    def booked(user) -> int:
        return db.scalar(select(func.count()).select_from(Appointment).where(Appointment.patient_id == user.id))

    valid = make_user()
    assert answers(token_for(valid), free_hour=10) == [201, 422, 403, 409, 409]

    logged_out = make_user()
    token = token_for(logged_out)
    assert api.post("/api/auth/logout", token, json={}).status_code == 204
    assert answers(token, free_hour=11) == [401] * 5

    disabled = make_user()
    token = token_for(disabled)
    db.get(User, disabled.id).is_active = False
    db.flush()
    assert answers(token, free_hour=12) == [401] * 5

    signed_out_elsewhere = make_user()  # its sign-in ended by "sign out everywhere" from another device
    token = token_for(signed_out_elsewhere)
    assert api.post("/api/auth/logout-all", token_for(signed_out_elsewhere)).status_code == 204
    assert answers(token, free_hour=13) == [401] * 5
    assert (booked(valid), booked(logged_out), booked(disabled), booked(signed_out_elsewhere)) == (1, 0, 0, 0)


def test_a_token_naming_a_role_the_account_no_longer_has_books_nothing(api, db, make_user, token_for):
    """The statement's check includes the role the token names (the caller acted with it)."""
    from clinic.identity.models import User

    setup, day = make_doctor(db), future_day()
    desk, patient = make_user("receptionist"), make_user()
    token = token_for(desk)  # names the role "receptionist"
    db.get(User, desk.id).role = "doctor"
    db.flush()
    assert _book(api, token, setup, setup.at(day, 10), patient_id=patient.id).status_code == 401
    db.get(User, desk.id).role = "receptionist"
    db.flush()
    assert _book(api, token, setup, setup.at(day, 10), patient_id=patient.id).status_code == 201
