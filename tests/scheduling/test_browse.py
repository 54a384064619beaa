"""Browsing without an account: clinics (with phone and address), services, doctors with their next free
time, and slots; doctors without working hours are hidden from patients; next_available costs one query."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from clinic.scheduling import service as scheduling
from clinic.waitlist.models import SlotHold, WaitlistEntry
from tests.conftest import PASSWORD
from tests.scheduling.factories import add_appointment, future_day, make_doctor
from tests.conftest import make_settings


def _anon(app):
    return app.test_client()  # no cookie jar shared with a signed-in client


def _first_slot(anon, setup, service_id, days=62):
    today = datetime.now(timezone.utc).date()
    r = anon.get(
        f"/api/doctors/{setup.doctor.id}/slots?service_id={service_id}&from={today}"
        f"&to={today + timedelta(days=days - 1)}"
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["slots"]


def test_the_four_browse_endpoints_answer_without_an_account(app, db):
    setup = make_doctor(db)
    scheduling.update_clinic(db, clinic_id=setup.clinic_id, changes={"phone": "+34 910 000 000"})
    db.flush()
    anon = _anon(app)
    clinics = {c["id"]: c for c in anon.get("/api/clinics").get_json()}
    assert clinics[setup.clinic_id]["phone"] == "+34 910 000 000"
    assert clinics[setup.clinic_id]["address"] == "Calle Mayor 1"
    services = anon.get("/api/services").get_json()
    assert setup.service_id in [s["id"] for s in services] and all(s["active"] for s in services)
    doctors = {d["id"]: d for d in anon.get(f"/api/doctors?clinic_id={setup.clinic_id}").get_json()}
    assert list(doctors) == [setup.doctor.id]
    slots = _first_slot(anon, setup, setup.service_id)
    assert slots, "a doctor working every day has free slots in the next 62 days"
    # Everything else still needs an account.
    assert anon.get(f"/api/doctors/{setup.doctor.id}").status_code == 401
    assert anon.get("/api/appointments").status_code == 401
    assert (
        anon.post(
            "/api/appointments",
            json={"doctor_id": setup.doctor.id, "service_id": setup.service_id, "starts_at": slots[0]["starts_at"]},
        ).status_code
        == 401
    )
    # A token that is sent is checked: a bad one is a 401, not an anonymous answer.
    assert anon.get("/api/clinics", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_next_available_is_the_first_slot_the_slots_endpoint_lists(app, api, db, make_user, token_for):
    setup = make_doctor(db)
    anon = _anon(app)
    # Make the earliest bookable times busy, so the answer is not simply "the first grid time".
    first = _first_slot(anon, setup, setup.service_id)[0]
    patient = make_user()
    add_appointment(db, setup, patient.id, datetime.fromisoformat(first["starts_at"]))
    db.flush()
    short = _first_slot(anon, setup, setup.service_id)
    long = _first_slot(anon, setup, setup.long_service_id)
    assert short[0]["starts_at"] != first["starts_at"]

    [doctor] = anon.get(f"/api/doctors?clinic_id={setup.clinic_id}").get_json()
    expected = min(
        (short[0]["starts_at"], setup.service_id),
        (long[0]["starts_at"], setup.long_service_id),
        key=lambda p: (datetime.fromisoformat(p[0]), p[1]),
    )
    assert doctor["next_available"] == {"service_id": expected[1], "starts_at": expected[0]}
    [only_long] = anon.get(f"/api/doctors?clinic_id={setup.clinic_id}&service_id={setup.long_service_id}").get_json()
    assert only_long["next_available"] == {"service_id": setup.long_service_id, "starts_at": long[0]["starts_at"]}
    # In the clinic's zone, as the slots are.
    assert doctor["next_available"]["starts_at"].endswith(("+01:00", "+02:00"))
    # The same through a patient's eyes (signed in) as anonymously here: nothing of theirs is in the way.
    [as_patient] = api.get(f"/api/doctors?clinic_id={setup.clinic_id}", token_for(make_user())).get_json()
    assert as_patient["next_available"] == doctor["next_available"]


def test_next_available_is_null_without_free_time(app, api, db, make_user, token_for):
    setup = make_doctor(db)
    admin = token_for(make_user("admin"))
    now = datetime.now(timezone.utc)
    r = api.post(
        f"/api/doctors/{setup.doctor.id}/time-off",
        admin,
        json={"starts_at": now.isoformat(), "ends_at": (now + timedelta(days=70)).isoformat()},
    )
    assert r.status_code == 201, r.get_json()
    [doctor] = _anon(app).get(f"/api/doctors?clinic_id={setup.clinic_id}").get_json()
    assert doctor["next_available"] is None


def test_doctors_without_hours_are_hidden_from_patients_until_they_have_hours(app, api, db, make_user, token_for):
    setup = make_doctor(db)
    view = scheduling.create_doctor(
        db,
        email=f"new-{uuid.uuid4().hex[:8]}@example.com",
        password=PASSWORD,
        full_name="Dr. Nuevo",
        specialty="Cardiología",
        clinic_id=setup.clinic_id,
        service_ids=[setup.service_id],
    )
    db.flush()
    query = f"/api/doctors?clinic_id={setup.clinic_id}"
    ids = lambda r: [d["id"] for d in r.get_json()]  # noqa: E731
    assert ids(_anon(app).get(query)) == [setup.doctor.id]
    assert ids(api.get(query, token_for(make_user()))) == [setup.doctor.id]
    admin = token_for(make_user("admin"))
    staff_view = {d["id"]: d for d in api.get(query, admin).get_json()}
    assert set(staff_view) == {setup.doctor.id, view.id} and staff_view[view.id]["next_available"] is None
    r = api.put(
        f"/api/doctors/{view.id}/working-hours",
        admin,
        json=[{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)],
    )
    assert r.status_code == 200
    assert sorted(ids(_anon(app).get(query))) == sorted([setup.doctor.id, view.id])


def test_anonymous_slots_hide_waitlist_holds_and_name_no_patient(app, api, db, make_user, token_for):
    setup = make_doctor(db)
    anon = _anon(app)
    day = future_day(10)
    url = f"/api/doctors/{setup.doctor.id}/slots?service_id={setup.service_id}&from={day}&to={day}"
    before = [s["starts_at"] for s in anon.get(url).get_json()["slots"]]
    holder = make_user()
    entry = WaitlistEntry(
        patient_id=holder.id,
        service_id=setup.service_id,
        doctor_id=setup.doctor.id,
        clinic_id=setup.clinic_id,
        from_date=day,
        to_date=day,
    )
    db.add(entry)
    db.flush()
    start = setup.at(day, 9)
    db.add(
        SlotHold(
            entry_id=entry.id,
            patient_id=holder.id,
            doctor_id=setup.doctor.id,
            service_id=setup.service_id,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            blocked_until=start + timedelta(minutes=30),
            expires_at=datetime.now(timezone.utc) + timedelta(minutes=30),
        )
    )
    db.flush()
    answer = anon.get(url).get_json()
    assert set(answer) == {"timezone", "slots"} and all(set(s) == {"starts_at", "ends_at"} for s in answer["slots"])
    after = [s["starts_at"] for s in answer["slots"]]
    assert before[0] == start.isoformat() and start.isoformat() not in after and len(after) == len(before) - 1
    # The holder, signed in, still sees it.
    mine = [s["starts_at"] for s in api.get(url, token_for(holder)).get_json()["slots"]]
    assert start.isoformat() in mine
    # Without an account there is nobody to name.
    assert anon.get(url + f"&patient_id={holder.id}").status_code == 404


def test_the_doctor_list_costs_the_same_queries_for_one_doctor_or_many(app, db, connection):
    setups = [make_doctor(db, specialty=f"Esp-{uuid.uuid4().hex[:6]}") for _ in range(5)]
    anon = _anon(app)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "doctors" in statement:
            statements.append(statement)

    event.listen(connection.engine, "before_cursor_execute", count)
    try:
        one = anon.get(f"/api/doctors?specialty={setups[0].doctor.specialty}").get_json()
        for_one = len(statements)
        statements.clear()
        many = anon.get("/api/doctors").get_json()
        for_many = len(statements)
    finally:
        event.remove(connection.engine, "before_cursor_execute", count)
    assert len(one) == 1 and len([d for d in many if d["id"] in {s.doctor.id for s in setups}]) == 5
    assert all(d["next_available"] for d in many if d["id"] in {s.doctor.id for s in setups})
    assert for_one == for_many <= 2


def test_browsing_is_under_the_global_per_ip_limit(engine, redis_client, request):
    from web import create_app
    from web.extensions import limiter

    redis_client.flushdb()
    # Flask-Limiter keeps the first app's default limits on its one shared object: set ours for this app, put
    # the session's back afterwards.
    manager = limiter.limit_manager
    saved = manager._default_limits
    manager._default_limits = []
    request.addfinalizer(
        lambda: (setattr(limiter, "enabled", False), redis_client.flushdb(), setattr(manager, "_default_limits", saved))
    )
    client = create_app(
        {"SETTINGS": make_settings(RATELIMIT_ENABLED="1", RATELIMIT_DEFAULT="3 per minute"), "ACCESS_LOG": False}
    ).test_client()
    for path in ("/api/clinics", "/api/services", "/api/doctors"):  # the default limit counts per route
        codes = [client.get(path).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429], path


def test_next_available_honours_date_overrides(app, api, db, make_user, token_for):
    """A day off on the day of the first free time moves next_available to the slots endpoint's new first."""
    setup = make_doctor(db)
    anon = _anon(app)
    first = datetime.fromisoformat(_first_slot(anon, setup, setup.service_id)[0]["starts_at"])
    admin = token_for(make_user("admin"))
    r = api.put(
        f"/api/doctors/{setup.doctor.id}/date-overrides", admin, json={"date": first.date().isoformat(), "ranges": []}
    )
    assert r.status_code == 200, r.get_json()
    [doctor] = anon.get(f"/api/doctors?clinic_id={setup.clinic_id}&service_id={setup.service_id}").get_json()
    after = _first_slot(anon, setup, setup.service_id)[0]["starts_at"]
    assert datetime.fromisoformat(after).date() != first.date()
    assert doctor["next_available"] == {"service_id": setup.service_id, "starts_at": after}
