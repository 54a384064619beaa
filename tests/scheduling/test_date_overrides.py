"""Date overrides: one local date's own hours (extra ranges, or a day off), honoured by the slots, by
booking (which reuses the slot engine) and across DST changes; the API's shape and rules."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

from clinic.appointments import booking
from clinic.availability.service import slots
from clinic.errors import Conflict
from clinic.identity.actor import Actor
from clinic.scheduling.calendar import set_override
from web.schemas.scheduling import slots_json as _written
from tests.conftest import make_settings
from tests.scheduling.factories import future_day, make_doctor


def slots_json(db, **kw) -> bytes:
    """The slots endpoint's answer body: the availability engine's data as the web schema writes it."""
    return _written(slots(db, **kw)).body


SETTINGS = make_settings()
UTC = timezone.utc
STAFF = Actor(user_id=1, role="receptionist")


def _slots(db, setup, first: date, last: date | None = None, now: datetime | None = None) -> list[str]:
    raw = slots_json(
        db,
        actor=STAFF,
        doctor_id=setup.doctor.id,
        service_id=setup.service_id,
        first=first,
        last=last or first,
        now=now or datetime.now(UTC),
        settings=SETTINGS,
    )
    return [s["starts_at"] for s in json.loads(raw)["slots"]]


def _book(db, setup, patient_id: int, starts_at: datetime, now: datetime | None = None):
    return booking.book(
        db,
        doctor_id=setup.doctor.id,
        service_id=setup.service_id,
        patient_id=patient_id,
        starts_at=starts_at,
        reason=None,
        actor_id=None,
        now=now or datetime.now(UTC),
        settings=SETTINGS,
    )


def test_an_override_replaces_that_date_only(db):
    setup = make_doctor(db, hours=[(time(9), time(11))])
    day = future_day(20)
    set_override(db, doctor=setup.doctor, day=day, ranges=[(time(16), time(17)), (time(8), time(8, 30))])
    assert [s[11:16] for s in _slots(db, setup, day)] == ["08:00", "16:00", "16:30"]
    following = day + timedelta(days=1)
    assert [s[11:16] for s in _slots(db, setup, following)] == ["09:00", "09:30", "10:00", "10:30"]
    # Over a range: the override date among ordinary ones.
    both = _slots(db, setup, day, following)
    assert len(both) == 3 + 4


def test_a_day_off_has_no_slots_and_cannot_be_booked(db, make_user):
    setup = make_doctor(db, hours=[(time(9), time(11))])
    day = future_day(21)
    patient = make_user()
    assert _slots(db, setup, day)
    set_override(db, doctor=setup.doctor, day=day, ranges=[])
    assert _slots(db, setup, day) == []
    try:
        _book(db, setup, patient.id, setup.at(day, 9))
        raise AssertionError("booked on a day off")
    except Conflict as err:
        assert err.code == "outside_working_hours"


def test_booking_honours_extra_hours_of_an_override_even_with_a_stale_guess(db, make_user):
    setup = make_doctor(db, hours=[(time(9), time(11))])
    day = future_day(22)
    patient = make_user()
    # Book once so this process remembers the doctor's grid (without overrides) ...
    _book(db, setup, patient.id, setup.at(day, 9))
    # ... then open the evening of that day only: the stale guess must not decide.
    try:
        _book(db, setup, patient.id, setup.at(day, 18))
        raise AssertionError("booked outside the hours")
    except Conflict as err:
        assert err.code == "outside_working_hours"
    set_override(db, doctor=setup.doctor, day=day, ranges=[(time(9), time(11)), (time(18), time(19))])
    made = _book(db, setup, patient.id, setup.at(day, 18))
    assert made.appointment_id is not None
    assert made.starts_at == setup.at(day, 18)
    # Closing that date again refuses what the stale (now open) guess would still offer.
    set_override(db, doctor=setup.doctor, day=day, ranges=[])
    try:
        _book(db, setup, patient.id, setup.at(day, 10))
        raise AssertionError("booked on a day off")
    except Conflict as err:
        assert err.code == "outside_working_hours"


def test_override_on_the_madrid_spring_forward_date_offers_only_real_instants(db, make_user):
    setup = make_doctor(db, timezone_name="Europe/Madrid", hours=[(time(9), time(10))], weekdays=[0])  # Mondays
    day = date(2027, 3, 28)  # a Sunday: no weekly hours; 02:00-03:00 does not exist
    now = datetime(2027, 1, 1, tzinfo=UTC)
    assert _slots(db, setup, day, now=now) == []
    set_override(db, doctor=setup.doctor, day=day, ranges=[(time(1), time(4))])
    found = _slots(db, setup, day, now=now)
    assert [datetime.fromisoformat(s).astimezone(UTC).strftime("%H:%M") for s in found] == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
    ]
    assert [s[11:] for s in found] == ["01:00:00+01:00", "01:30:00+01:00", "03:00:00+02:00", "03:30:00+02:00"]
    patient = make_user()
    made = _book(db, setup, patient.id, datetime(2027, 3, 28, 1, 0, tzinfo=UTC), now=now)  # 03:00 CEST
    assert made.appointment_id is not None


def test_override_on_the_new_york_fall_back_date(db):
    setup = make_doctor(db, timezone_name="America/New_York", hours=[(time(9), time(10))], weekdays=[0])
    day = date(2027, 11, 7)  # a Sunday; 01:00-02:00 happens twice
    now = datetime(2027, 6, 1, tzinfo=UTC)
    set_override(db, doctor=setup.doctor, day=day, ranges=[(time(1), time(2))])
    found = _slots(db, setup, day, now=now)
    assert [s[11:] for s in found] == ["01:00:00-04:00", "01:30:00-04:00", "01:00:00-05:00", "01:30:00-05:00"]


def test_the_api(api, db, make_user, token_for):
    setup = make_doctor(db, hours=[(time(9), time(11))])
    day = future_day(23)
    admin = token_for(make_user("admin"))
    path = f"/api/doctors/{setup.doctor.id}/date-overrides"
    r = api.put(
        path,
        admin,
        json={
            "date": day.isoformat(),
            "ranges": [{"start": "15:00", "end": "16:00"}, {"start": "08:00", "end": "09:00"}],
        },
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {
        "date": day.isoformat(),
        "ranges": [{"start": "08:00", "end": "09:00"}, {"start": "15:00", "end": "16:00"}],
    }
    off = day + timedelta(days=2)
    assert api.put(path, admin, json={"date": off.isoformat(), "ranges": []}).status_code == 200
    listed = api.get(path, admin).get_json()
    assert listed == [
        {"date": day.isoformat(), "ranges": [{"start": "08:00", "end": "09:00"}, {"start": "15:00", "end": "16:00"}]},
        {"date": off.isoformat(), "ranges": []},
    ]
    slots = api.get(
        f"/api/doctors/{setup.doctor.id}/slots?service_id={setup.service_id}&from={day}&to={off}", admin
    ).get_json()["slots"]
    by_day = {}
    for s in slots:
        by_day.setdefault(s["starts_at"][:10], []).append(s["starts_at"][11:16])
    assert by_day == {
        day.isoformat(): ["08:00", "08:30", "15:00", "15:30"],
        (day + timedelta(days=1)).isoformat(): ["09:00", "09:30", "10:00", "10:30"],
    }
    # Rules: overlapping ranges, reversed ranges, bad dates, bad times: 422 naming the field.
    r = api.put(
        path,
        admin,
        json={
            "date": day.isoformat(),
            "ranges": [{"start": "08:00", "end": "10:00"}, {"start": "09:00", "end": "11:00"}],
        },
    )
    assert r.status_code == 422 and "ranges.1.start" in r.get_json()["error"]["fields"]
    r = api.put(path, admin, json={"date": day.isoformat(), "ranges": [{"start": "10:00", "end": "09:00"}]})
    assert r.status_code == 422 and r.get_json()["error"]["fields"]
    assert api.put(path, admin, json={"date": "2027-02-30", "ranges": []}).status_code == 422
    assert (
        api.put(path, admin, json={"date": day.isoformat(), "ranges": [{"start": "9", "end": "10:00"}]}).status_code
        == 422
    )
    assert api.call("DELETE", f"{path}/not-a-date", admin).status_code == 404  # names no override
    assert api.call("DELETE", f"{path}/2027-02-30", admin).status_code == 404
    # Delete: back to the weekly hours.
    assert api.call("DELETE", f"{path}/{off.isoformat()}", admin).status_code == 204
    assert api.call("DELETE", f"{path}/{off.isoformat()}", admin).status_code == 404
    assert [o["date"] for o in api.get(path, admin).get_json()] == [day.isoformat()]
    # Who: that doctor yes, another doctor 404, a patient 403.
    doctor_token = api.login(setup.doctor.user.email)["access_token"]
    assert api.get(path, doctor_token).status_code == 200
    other = make_doctor(db)
    other_token = api.login(other.doctor.user.email)["access_token"]
    assert api.get(path, other_token).status_code == 404
    assert api.get(path, token_for(make_user())).status_code == 403
