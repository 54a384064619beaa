"""What the slots endpoint removes, how it validates, and how many queries a month costs."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import psycopg

from clinic.scheduling.models import TimeOff
from tests.scheduling.factories import add_appointment, future_day, make_doctor


def _get(api, token, setup, first, last=None, service_id=None):
    return api.get(
        f"/api/doctors/{setup.doctor.id}/slots?service_id={service_id or setup.service_id}"
        f"&from={first}&to={last or first}",
        token,
    )


def _starts(r) -> list[str]:
    assert r.status_code == 200, r.get_json()
    return [s["starts_at"][11:16] for s in r.get_json()["slots"]]


def test_a_day_steps_by_duration_from_each_interval_start(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    assert _starts(_get(api, token, setup, day)) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "12:00",
        "12:30",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
        "17:00",
        "17:30",
        "18:00",
        "18:30",
    ]
    long = _starts(_get(api, token, setup, day, service_id=setup.long_service_id))
    assert long == ["09:00", "09:45", "10:30", "11:15", "12:00", "15:00", "15:45", "16:30", "17:15", "18:00"]


def test_removes_appointments_with_buffer_time_off_and_own_appointments(api, db, make_user, token_for):
    setup = make_doctor(db)
    patient = make_user()
    token = token_for(patient)
    day = future_day()
    add_appointment(
        db, setup, make_user().id, setup.at(day, 9, 45), minutes=45, buffer=15, service_id=setup.long_service_id
    )  # busy 09:45-10:45
    add_appointment(db, setup, make_user().id, setup.at(day, 11), status="cancelled")  # frees nothing
    db.add(TimeOff(doctor_id=setup.doctor.id, starts_at=setup.at(day, 15, 10), ends_at=setup.at(day, 16)))
    other = make_doctor(db)
    add_appointment(db, other, patient.id, setup.at(day, 18))  # the patient is busy elsewhere 18:00-18:30
    db.flush()
    starts = _starts(_get(api, token, setup, day))
    assert starts == ["09:00", "11:00", "11:30", "12:00", "12:30", "16:00", "16:30", "17:00", "17:30", "18:30"]
    staff_view = _starts(_get(api, token_for(make_user("receptionist")), setup, day))
    assert "18:00" in staff_view  # only the patient's own agenda hides 18:00


def test_removes_past_minimum_notice_and_beyond_horizon(api, db, make_user, token_for):
    setup = make_doctor(db, hours=[(datetime.min.time(), datetime.max.time().replace(microsecond=0, second=0))])
    token = token_for(make_user())
    now = datetime.now(timezone.utc)
    today = now.astimezone(setup.tz).date()
    slots = _get(api, token, setup, today - timedelta(days=1), today + timedelta(days=1)).get_json()["slots"]
    first = datetime.fromisoformat(slots[0]["starts_at"])
    earliest = now + timedelta(hours=2)
    # The next grid start past the notice; or, when the notice runs past the day's last start (the hours end
    # at 23:59), the next day's first one, at midnight.
    next_midnight = datetime.combine(earliest.astimezone(setup.tz).date() + timedelta(days=1), time(0), setup.tz)
    assert earliest <= first
    assert first < now + timedelta(hours=2, minutes=30) or first == next_midnight, (now, first)
    edge = (now + timedelta(days=365)).astimezone(setup.tz).date()
    slots = _get(api, token, setup, edge - timedelta(days=1), edge + timedelta(days=1)).get_json()["slots"]
    assert datetime.fromisoformat(slots[-1]["starts_at"]) <= now + timedelta(days=365)
    assert datetime.fromisoformat(slots[-1]["starts_at"]) > now + timedelta(days=365, minutes=-31)


def test_range_validation_is_422(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    for query in (
        f"from={day}&to={day + timedelta(days=62)}",
        f"from={day}&to={day - timedelta(days=1)}",
        f"from=2027-02-30&to={day}",
        f"from={day}",
        f"from=tomorrow&to={day}",
        f"to={day}",
    ):
        r = api.get(f"/api/doctors/{setup.doctor.id}/slots?service_id={setup.service_id}&{query}", token)
        assert r.status_code == 422, query
    assert _get(api, token, setup, day, day + timedelta(days=61)).status_code == 200  # 62 days inclusive


def test_unknown_doctor_is_404_and_inactive_doctor_has_no_slots(api, db, make_user, token_for):
    setup = make_doctor(db)
    token = token_for(make_user())
    day = future_day()
    assert (
        api.get(f"/api/doctors/999999999/slots?service_id={setup.service_id}&from={day}&to={day}", token).status_code
        == 404
    )
    setup.doctor.active = False
    db.flush()
    assert _get(api, token, setup, day).get_json() == {"timezone": "Europe/Madrid", "slots": []}


def test_a_month_costs_one_query_whatever_the_bookings(api, db, make_user, token_for, monkeypatch):
    setup = make_doctor(db)
    token = token_for(make_user())
    first = future_day(20)
    patient = make_user()
    for i in range(40):
        add_appointment(db, setup, patient.id, setup.at(first + timedelta(days=i % 30), 9 + i % 4))
    statements = []
    execute = psycopg.Cursor.execute  # every statement, through SQLAlchemy or straight on the driver

    def recording(cursor, query, *args, **kwargs):
        statements.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recording)
    r = _get(api, token, setup, first, first + timedelta(days=30))
    monkeypatch.undo()
    assert r.status_code == 200 and len(r.get_json()["slots"]) == 31 * 16 - 40
    slot_queries = [s for s in statements if "working_hours" in s or "appointments" in s]
    assert len(slot_queries) == 1, statements
    account_checks = [s for s in statements if "revoked_access_tokens" in s]
    assert account_checks == slot_queries  # the token's account is checked inside that same query


def test_a_revoked_token_gets_401_for_slots_whatever_else_is_wrong(api, db, make_user, token_for):
    setup, day = make_doctor(db), future_day()
    token = token_for(make_user())
    too_long = (day, day + timedelta(days=400))
    assert _get(api, token, setup, day).status_code == 200
    assert _get(api, token, setup, *too_long).status_code == 422
    assert _get(api, token, setup, day, service_id=10**9).status_code == 404
    assert api.post("/api/auth/logout", token, json={}).status_code == 204
    assert [
        _get(api, token, setup, day).status_code,
        _get(api, token, setup, *too_long).status_code,
        _get(api, token, setup, day, service_id=10**9).status_code,
    ] == [401, 401, 401]


def test_the_prebuilt_answer_matches_the_documented_schema(api, db, make_user, token_for):
    from web.schemas.scheduling import SlotsOut

    setup = make_doctor(db, timezone_name="America/New_York")
    r = _get(api, token_for(make_user()), setup, future_day(), future_day(40))
    assert r.headers["Content-Type"] == "application/json"
    parsed = SlotsOut.model_validate_json(r.get_data())
    assert parsed.timezone == "America/New_York" and len(parsed.slots) > 300
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in parsed.slots)
