"""No double booking under real concurrency: committed data, a real engine, 50 threads racing."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import delete, select, text

from clinic.appointments.models import Appointment
from clinic.clock import utcnow
from clinic.db import make_engine, make_session_factory
from clinic.identity.models import User
from clinic.scheduling.models import Clinic, Doctor, Service
from clinic.waitlist.service import offer_slot
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.scheduling.factories import add_appointment, future_day, make_doctor

N = 50


@pytest.fixture()
def live(engine, redis_client):
    """An app whose requests commit for real, plus committed test data cleaned up afterwards."""
    from web import create_app

    # 20 connections race at once (PostgreSQL allows 100 in all, shared with other suites); the rest queue.
    real_engine = make_engine(TEST_DATABASE_URL, pool_size=16, max_overflow=4)
    factory = make_session_factory(real_engine)
    app = create_app({"SETTINGS": make_settings(), "DB_SESSIONMAKER": factory, "ACCESS_LOG": False})
    # Bookings run on autocommit connections, as in production (web.database.unit_of_work(one_statement=True)).
    autocommit = real_engine.execution_options(isolation_level="AUTOCOMMIT")
    app.extensions["db_autocommit_sessionmaker"] = make_session_factory(autocommit)
    session = factory()
    setup = make_doctor(session)
    tag = uuid.uuid4().hex[:8]
    patients = [
        User(email=f"race-{tag}-{i}@example.com", password_hash="x", full_name=f"Race {i}", role="patient")
        for i in range(N)
    ]
    session.add_all(patients)
    session.commit()
    with app.app_context():
        tokens = [
            create_access_token(identity=str(p.id), additional_claims={"fam": str(uuid.uuid4())}) for p in patients
        ]
    yield app, factory, setup, patients, tokens
    session.rollback()
    doctor_id = setup.doctor.id
    ids = list(session.scalars(select(Appointment.id).where(Appointment.doctor_id == doctor_id)))
    session.execute(text("DELETE FROM outbox WHERE (payload->>'appointment_id')::bigint = ANY(:ids)"), {"ids": ids})
    session.execute(delete(Appointment).where(Appointment.doctor_id == doctor_id))
    user_id = setup.doctor.user_id
    session.execute(delete(Doctor).where(Doctor.id == doctor_id))
    session.execute(delete(Service).where(Service.id.in_([setup.service_id, setup.long_service_id])))
    session.execute(delete(Clinic).where(Clinic.id == setup.clinic_id))
    session.execute(delete(User).where(User.id.in_([p.id for p in patients] + [user_id])))
    session.commit()
    session.close()
    real_engine.dispose()


def _race(app, requests, refusals=("slot_taken", "patient_busy")) -> list[int]:
    """Fire every (method, path, token, body) at once from its own thread; return the status codes.
    Any refusal must be a 409 with one of the `refusals` codes."""
    barrier = threading.Barrier(len(requests))
    codes: list[int] = [0] * len(requests)

    def run(i, method, path, token, body):
        client = app.test_client()
        barrier.wait()
        response = client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        codes[i] = response.status_code
        assert response.status_code in (200, 201) or (
            response.status_code == 409 and response.get_json()["error"]["code"] in refusals
        ), response.get_json()

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return codes


def _active_overlaps(factory, doctor_id) -> int:
    with factory() as s:
        return s.scalar(
            text("""SELECT count(*) FROM appointments a JOIN appointments b
            ON a.doctor_id = b.doctor_id AND a.id < b.id
           AND tstzrange(a.starts_at, a.blocked_until) && tstzrange(b.starts_at, b.blocked_until)
         WHERE a.doctor_id = :d AND a.status <> 'cancelled' AND b.status <> 'cancelled'"""),
            {"d": doctor_id},
        )


def test_fifty_concurrent_bookings_of_one_slot_yield_one(live):
    app, factory, setup, patients, tokens = live
    body = {
        "doctor_id": setup.doctor.id,
        "service_id": setup.service_id,
        "starts_at": setup.at(future_day(), 10).isoformat(),
    }
    codes = _race(app, [("POST", "/api/appointments", t, body) for t in tokens])
    assert sorted(codes) == [201] + [409] * (N - 1)
    assert _active_overlaps(factory, setup.doctor.id) == 0


def test_fifty_concurrent_overlapping_misaligned_bookings_yield_one(live):
    app, factory, setup, patients, tokens = live
    day = future_day()
    aligned = {
        "doctor_id": setup.doctor.id,
        "service_id": setup.service_id,
        "starts_at": setup.at(day, 10).isoformat(),
    }  # 10:00-10:30
    misaligned = {
        "doctor_id": setup.doctor.id,
        "service_id": setup.long_service_id,
        "starts_at": setup.at(day, 9, 45).isoformat(),
    }  # 09:45-10:30 (+15 min buffer)
    codes = _race(
        app, [("POST", "/api/appointments", t, aligned if i % 2 else misaligned) for i, t in enumerate(tokens)]
    )
    assert sorted(codes) == [201] + [409] * (N - 1)
    assert _active_overlaps(factory, setup.doctor.id) == 0


def test_fifty_concurrent_reschedules_into_one_slot_yield_one(live):
    app, factory, setup, patients, tokens = live
    day = future_day(20)
    with factory() as s:
        ids = [add_appointment(s, setup, p.id, setup.at(day, 9) + timedelta(days=i)).id for i, p in enumerate(patients)]
        s.commit()
    target = {"starts_at": setup.at(future_day(), 12).isoformat()}
    codes = _race(app, [("PATCH", f"/api/appointments/{a}", t, target) for a, t in zip(ids, tokens, strict=False)])
    assert sorted(codes) == [200] + [409] * (N - 1)
    assert _active_overlaps(factory, setup.doctor.id) == 0


def test_a_deadlock_between_crossing_bookings_is_a_409_for_the_victim(live):
    """Two transactions each book a slot, then the other's: PostgreSQL aborts one as a deadlock victim."""
    from clinic.appointments import service as appointments
    from clinic.errors import Conflict
    from clinic.identity.actor import Actor

    app, factory, setup, patients, tokens = live
    settings = make_settings()
    day = future_day()
    first, second = factory(), factory()
    outcomes: dict[str, str] = {}

    def book(session, patient, hour, label):
        try:
            appointments.book(
                session,
                actor=Actor(user_id=patient.id, role="patient"),
                doctor_id=setup.doctor.id,
                service_id=setup.service_id,
                starts_at=setup.at(day, hour),
                settings=settings,
            )
            outcomes[label] = "booked"
        except Conflict as err:
            outcomes[label] = err.code
            session.rollback()

    book(first, patients[0], 9, "first-9")
    book(second, patients[1], 10, "second-10")
    crossing = threading.Thread(target=book, args=(first, patients[2], 10, "first-10"))
    crossing.start()
    time.sleep(0.3)  # let it wait on the second transaction's 10:00 row
    book(second, patients[3], 9, "second-9")
    crossing.join(10)
    for session in (first, second):
        if session.in_transaction():
            session.commit()
        session.close()
    assert outcomes["second-9"] == "slot_taken" or outcomes["first-10"] == "slot_taken", outcomes
    assert set(outcomes.values()) <= {"booked", "slot_taken"}
    assert _active_overlaps(factory, setup.doctor.id) == 0


def test_a_booking_is_one_statement_that_commits_by_itself(live):
    """Bookings run on the app's held autocommit connection: what answers 201 is committed, what answers
    409 left nothing behind, and the connection serves the next booking."""
    from web import create_app

    _, factory, setup, patients, tokens = live
    app = create_app({"SETTINGS": make_settings(), "ACCESS_LOG": False})  # production session factories
    states, opened = [], []
    for name in ("db_sessionmaker", "db_autocommit_sessionmaker"):
        app.extensions[name] = lambda made=app.extensions[name]: opened.append(made()) or opened[-1]

    @app.after_request
    def record(response):  # (before web.access's after-request check, which a 409 runs on a session of its own)
        drivers = [s.bind.connection.driver_connection for s in opened]
        states.append([(d.autocommit, d.info.transaction_status.name) for d in drivers])
        return response

    client, day = app.test_client(), future_day()

    def book(token, hour, minute=0):
        body = {
            "doctor_id": setup.doctor.id,
            "service_id": setup.service_id,
            "starts_at": setup.at(day, hour, minute).isoformat(),
        }
        opened.clear()
        r = client.post("/api/appointments", json=body, headers={"Authorization": f"Bearer {token}"})
        return r.status_code, (r.get_json().get("error") or {}).get("code")

    assert book(tokens[0], 9) == (201, None)
    assert book(tokens[1], 9) == (409, "slot_taken")
    assert book(tokens[1], 9, 10) == (409, "outside_working_hours")
    assert book(tokens[0], 9, 30) == (201, None)
    assert states == [[(True, "IDLE")]] * 4  # one autocommit session each; no transaction was ever left open
    with factory() as s:
        counts = s.execute(
            text("""
            SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM appointment_history h
                                                            WHERE h.appointment_id = a.id AND h.action = 'booked')),
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.topic = 'appointment.booked'
                                                  AND o.payload = jsonb_build_object('appointment_id', a.id)))
            FROM appointments a WHERE a.doctor_id = :d"""),
            {"d": setup.doctor.id},
        ).one()
    assert tuple(counts) == (2, 2, 2)


def test_a_held_slot_raced_by_its_holder_and_forty_nine_others_goes_to_the_holder(live):
    """Waitlist hold (issue 13, defect 5): everyone fires at once; only the holder can win, the others
    get 409 slot_held, whoever's statement runs first."""
    app, factory, setup, patients, tokens = live
    holder = patients[N // 2]  # not the first thread started
    start = setup.at(future_day(), 10)
    with factory() as s:
        entry = s.scalar(
            text(
                "INSERT INTO waitlist_entries (patient_id, service_id, doctor_id, from_date, to_date) "
                "VALUES (:p, :s, :d, :f, :f) RETURNING id"
            ),
            {"p": holder.id, "s": setup.service_id, "d": setup.doctor.id, "f": start.date()},
        )
        hold = offer_slot(
            s,
            doctor_id=setup.doctor.id,
            service_id=setup.service_id,
            clinic_id=setup.clinic_id,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            now=utcnow(),
            settings=make_settings(),
        )
        assert hold.patient_id == holder.id
        s.commit()
    try:
        body = {"doctor_id": setup.doctor.id, "service_id": setup.service_id, "starts_at": start.isoformat()}
        codes = _race(app, [("POST", "/api/appointments", t, body) for t in tokens], refusals=("slot_held",))
        assert sorted(codes) == [201] + [409] * (N - 1)
        assert codes[N // 2] == 201
        with factory() as s:
            assert s.scalar(select(Appointment.patient_id).where(Appointment.doctor_id == setup.doctor.id)) == holder.id
    finally:
        with factory() as s:
            s.execute(text("DELETE FROM waitlist_entries WHERE id = :e"), {"e": entry})  # its hold cascades
            s.commit()
