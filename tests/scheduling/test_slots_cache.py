"""The per-process slots cache (clinic/availability/cache.py): the same answers as computing every time,
DST days included, and every change to a doctor's busy times, hours or service seen at the next request."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from clinic.availability import engine, slot_versions
from clinic.availability.cache import FREE_SLOTS
from clinic.availability.service import Window, hours_by_weekday, slots
from clinic.identity.actor import Actor
from tests.conftest import make_settings
from tests.scheduling.factories import add_appointment, future_day, make_doctor
from web.schemas.scheduling import slots_json as _written

SETTINGS = make_settings()
UTC = timezone.utc


def slots_json(db, **kw) -> bytes:
    """The slots endpoint's answer body: the availability engine's data as the web schema writes it."""
    return _written(slots(db, **kw)).body


def _arrays(db, sql: str, **params):
    rows = db.execute(text(sql), params).all()
    return ([int(r[0].timestamp()) for r in rows], [int(r[1].timestamp()) for r in rows]) if rows else (None, None)


def _reference(db, *, doctor_id, service_id, first, last, now, patient_id):
    """The answer as the code before the cache computed it: every busy interval through one forward scan."""
    tz_name, duration, buffer = db.execute(
        text(
            "SELECT c.timezone, s.duration_minutes * 60, s.buffer_minutes * 60 FROM doctors d JOIN clinics c "
            "ON c.id = d.clinic_id JOIN services s ON s.id = :s WHERE d.id = :d"
        ),
        {"d": doctor_id, "s": service_id},
    ).one()
    hours = db.execute(
        text(
            "SELECT weekday, date_part('epoch', start_time)::int, date_part('epoch', end_time)::int "
            "FROM working_hours WHERE doctor_id = :d ORDER BY weekday, start_time"
        ),
        {"d": doctor_id},
    ).all()
    lo = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=2)
    hi = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=2)
    busy = _arrays(
        db,
        "SELECT starts_at, blocked_until FROM appointments WHERE doctor_id = :d AND status <> "
        "'cancelled' AND starts_at >= :lo AND starts_at < :hi UNION ALL SELECT starts_at, blocked_until "
        "FROM slot_holds WHERE doctor_id = :d AND status = 'active' AND starts_at >= :lo AND "
        "starts_at < :hi AND expires_at > :now AND patient_id IS DISTINCT FROM :p",
        d=doctor_id,
        lo=lo,
        hi=hi,
        now=now,
        p=patient_id,
    )
    off = _arrays(
        db,
        "SELECT starts_at, ends_at FROM time_off WHERE doctor_id = :d AND starts_at < :hi AND ends_at > :lo",
        d=doctor_id,
        lo=lo,
        hi=hi,
    )
    mine = _arrays(
        db,
        "SELECT starts_at, ends_at FROM appointments WHERE patient_id = :p AND status <> 'cancelled' "
        "AND starts_at >= :lo AND starts_at < :hi",
        p=patient_id,
        lo=lo,
        hi=hi,
    )
    blocked = engine.blocked_starts((*busy, duration + buffer), (*off, duration), (*mine, duration))
    window = Window.at(now, SETTINGS)
    intervals = engine.range_intervals(tz_name, first, last, tuple(hours_by_weekday(hours).items()))
    tz, slots = ZoneInfo(tz_name), []
    for k, a, b in engine.free_runs(intervals, duration, window.earliest, window.latest, blocked):
        s = intervals[k][0]
        slots += [
            {
                "starts_at": datetime.fromtimestamp(t, tz).isoformat(),
                "ends_at": datetime.fromtimestamp(t + duration, tz).isoformat(),
            }
            for t in range(s + a * duration, s + (b + 1) * duration, duration)
        ]
    return {"timezone": tz_name, "slots": slots}


@pytest.mark.parametrize(
    "zone, first, last",
    [
        ("Europe/Madrid", date(2027, 3, 22), date(2027, 4, 4)),  # spring forward on Sunday 28 March
        ("Europe/Madrid", date(2027, 10, 25), date(2027, 11, 7)),  # fall back on Sunday 31 October
        ("America/New_York", date(2027, 3, 8), date(2027, 3, 21)),
        ("America/New_York", date(2027, 11, 1), date(2027, 11, 14)),
    ],
)
def test_cached_answers_equal_computing_every_time_across_dst(db, make_user, zone, first, last):
    setup = make_doctor(db, timezone_name=zone, hours=[(time(0), time(4)), (time(9), time(13)), (time(15), time(19))])
    patient, holder = make_user(), make_user()
    tz = setup.tz
    n, taken = 0, []
    for offset in range((last - first).days + 1):  # busy times of both services, some cancelled, across the change
        day = first + timedelta(days=offset)
        for hh, mm in ((0, 30), (1, 30), (2, 0), (3, 15), (9, 0), (10, 30), (12, 15), (16, 0), (18, 30)):
            if (offset + hh) % 3 == 0:
                continue
            start = datetime.combine(day, time(hh, mm), tzinfo=tz).astimezone(UTC)
            long = (offset + mm) % 2 == 0
            end = start + timedelta(minutes=60 if long else 30)
            if any(a < end and start < b for a, b in taken):  # a wall time the change made collide
                continue
            taken.append((start, end))
            add_appointment(
                db,
                setup,
                make_user().id,
                start,
                minutes=45 if long else 30,
                buffer=15 if long else 0,
                status="cancelled" if n % 7 == 0 else "booked",
                service_id=setup.long_service_id if long else setup.service_id,
            )
            n += 1
    add_appointment(db, setup, patient.id, datetime.combine(first + timedelta(days=2), time(11), tzinfo=tz))
    other = make_doctor(db, timezone_name=zone)  # the patient is busy with another doctor too
    add_appointment(db, other, patient.id, datetime.combine(first + timedelta(days=3), time(17), tzinfo=tz))
    db.execute(
        text("INSERT INTO time_off (doctor_id, starts_at, ends_at) VALUES (:d, :s, :e)"),
        {
            "d": setup.doctor.id,
            "s": datetime.combine(first + timedelta(days=5), time(11, 10), tzinfo=tz),
            "e": datetime.combine(first + timedelta(days=6), time(10), tzinfo=tz),
        },
    )
    _hold(db, setup, holder.id, datetime.combine(first + timedelta(days=4), time(9, 30), tzinfo=tz))
    now = datetime.combine(first, time(12), tzinfo=UTC) - timedelta(hours=2)  # notice cuts into the first day
    for service_id in (setup.service_id, setup.long_service_id):
        for actor, named in (
            (Actor(user_id=patient.id, role="patient"), None),
            (Actor(user_id=1, role="receptionist"), None),
            (Actor(user_id=1, role="receptionist"), holder.id),
        ):
            FREE_SLOTS.clear()
            kw = dict(
                actor=actor,
                doctor_id=setup.doctor.id,
                service_id=service_id,
                first=first,
                last=last,
                settings=SETTINGS,
                patient_id=named,
            )
            cold = json.loads(slots_json(db, now=now, **kw))
            warm = json.loads(slots_json(db, now=now, **kw))
            later = json.loads(slots_json(db, now=now + timedelta(hours=30), **kw))  # same entry, later clock
            caller = named if named is not None else (patient.id if actor.is_patient else None)
            ref = dict(doctor_id=setup.doctor.id, service_id=service_id, first=first, last=last, patient_id=caller)
            expected = _reference(db, now=now, **ref)
            assert len(expected["slots"]) > 50
            assert cold == warm == expected
            assert later == _reference(db, now=now + timedelta(hours=30), **ref)
            assert len(later["slots"]) < len(expected["slots"])


def _hold(db, setup, patient_id, starts_at):
    entry = db.execute(
        text(
            "INSERT INTO waitlist_entries (patient_id, doctor_id, service_id, from_date, to_date, status) "
            "VALUES (:p, :d, :s, :a, :a, 'offered') RETURNING id"
        ),
        {"p": patient_id, "d": setup.doctor.id, "s": setup.service_id, "a": starts_at.date()},
    ).scalar_one()
    db.execute(
        text(
            "INSERT INTO slot_holds (entry_id, patient_id, doctor_id, service_id, starts_at, ends_at, blocked_until, "
            "expires_at) VALUES (:e, :p, :d, :s, :a, :b, :b, :x)"
        ),
        {
            "e": entry,
            "p": patient_id,
            "d": setup.doctor.id,
            "s": setup.service_id,
            "a": starts_at,
            "b": starts_at + timedelta(minutes=30),
            "x": datetime(2100, 1, 1, tzinfo=UTC),
        },
    )


def _slots(api, token, setup, day, service_id=None) -> list[str]:
    r = api.get(
        f"/api/doctors/{setup.doctor.id}/slots?service_id={service_id or setup.service_id}&from={day}&to={day}", token
    )
    assert r.status_code == 200, r.get_json()
    return [s["starts_at"][11:16] for s in r.get_json()["slots"]]


def _version(db, setup) -> int:
    return db.execute(
        text("SELECT COALESCE(sum(weight), 0) FROM doctor_slot_changes WHERE doctor_id = :d"), {"d": setup.doctor.id}
    ).scalar_one()


ALL = [
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


def test_the_cache_follows_every_change_through_the_api(api, db, make_user, token_for):
    setup = make_doctor(db)
    day = future_day()
    patient = make_user()
    token, staff = token_for(patient), token_for(make_user("receptionist"))
    doctor, admin = token_for(setup.doctor.user), token_for(make_user("admin"))
    assert _slots(api, token, setup, day) == ALL
    assert _slots(api, staff, setup, day) == ALL  # warm: the doctor's entry is shared by every caller
    v0 = _version(db, setup)

    r = api.post(
        "/api/appointments",
        token,
        json={"doctor_id": setup.doctor.id, "service_id": setup.service_id, "starts_at": setup.at(day, 10).isoformat()},
    )
    assert r.status_code == 201, r.get_json()
    booked = r.get_json()["id"]
    assert _version(db, setup) > v0
    assert "10:00" not in _slots(api, staff, setup, day)

    v1 = _version(db, setup)
    r = api.patch(f"/api/appointments/{booked}", token, json={"starts_at": setup.at(day, 16).isoformat()})
    assert r.status_code == 200, r.get_json()
    assert _version(db, setup) > v1
    assert _slots(api, staff, setup, day) == [s for s in ALL if s != "16:00"]

    assert api.post(f"/api/appointments/{booked}/cancel", token, json={"reason": "Viaje"}).status_code == 200
    assert _slots(api, staff, setup, day) == ALL

    r = api.post(
        f"/api/doctors/{setup.doctor.id}/time-off",
        doctor,
        json={"starts_at": setup.at(day, 9).isoformat(), "ends_at": setup.at(day, 12).isoformat()},
    )
    assert r.status_code == 201, r.get_json()
    assert _slots(api, staff, setup, day) == ["12:00", "12:30", *ALL[8:]]
    assert (
        api.call("DELETE", f"/api/doctors/{setup.doctor.id}/time-off/{r.get_json()['id']}", doctor).status_code == 204
    )
    assert _slots(api, staff, setup, day) == ALL

    hours = [{"weekday": d, "start": "08:00", "end": "10:00"} for d in range(7)]
    assert api.put(f"/api/doctors/{setup.doctor.id}/working-hours", doctor, json=hours).status_code == 200
    assert _slots(api, staff, setup, day) == ["08:00", "08:30", "09:00", "09:30"]

    assert api.patch(f"/api/services/{setup.service_id}", admin, json={"duration_minutes": 40}).status_code == 200
    assert _slots(api, staff, setup, day) == ["08:00", "08:40", "09:20"]

    # Written by any other process (here: plain SQL on another session's statement): the trigger bumps the
    # version in that statement, so this process's entry is not used again.
    v2 = _version(db, setup)
    add_appointment(db, setup, make_user().id, setup.at(day, 8, 40), minutes=40)
    assert _version(db, setup) > v2
    assert _slots(api, staff, setup, day) == ["08:00", "09:20"]


def test_only_changes_to_busy_times_bump_the_version(db, make_user):
    setup = make_doctor(db)
    other = make_doctor(db)
    day = future_day()
    a = add_appointment(db, setup, make_user().id, setup.at(day, 9))
    v = _version(db, setup)
    v_other = _version(db, other)
    db.execute(text("UPDATE appointments SET status = 'completed', updated_at = now() WHERE id = :a"), {"a": a.id})
    assert _version(db, setup) == v  # still busy: nothing to recompute
    db.execute(text("UPDATE appointments SET status = 'cancelled' WHERE id = :a"), {"a": a.id})
    assert _version(db, setup) > v
    v = _version(db, setup)
    db.execute(text("UPDATE appointments SET doctor_id = :o WHERE id = :a"), {"a": a.id, "o": other.doctor.id})
    assert _version(db, setup) > v and _version(db, other) > v_other  # both doctors of a move
    v, v_other = _version(db, setup), _version(db, other)
    db.execute(text("DELETE FROM appointments WHERE id = :a"), {"a": a.id})
    assert _version(db, other) > v_other and _version(db, setup) == v


def test_the_scheduler_folds_a_doctors_changes_keeping_the_version(api, db, make_user, token_for):
    setup = make_doctor(db)
    day = future_day()
    token = token_for(make_user("receptionist"))
    for hour in (9, 10, 11):
        add_appointment(db, setup, make_user().id, setup.at(day, hour))
    rows = "SELECT count(*) FROM doctor_slot_changes WHERE doctor_id = :d"
    assert db.execute(text(rows), {"d": setup.doctor.id}).scalar_one() >= 3
    before, answer = _version(db, setup), _slots(api, token, setup, day)
    assert slot_versions.fold(db, now=datetime.now(UTC), settings=SETTINGS) >= 2
    assert db.execute(text(rows), {"d": setup.doctor.id}).scalar_one() == 1
    assert _version(db, setup) == before
    assert _slots(api, token, setup, day) == answer == [s for s in ALL if s not in ("09:00", "10:00", "11:00")]
    add_appointment(db, setup, make_user().id, setup.at(day, 12))
    assert _version(db, setup) == before + 1
    assert "12:00" not in _slots(api, token, setup, day)
