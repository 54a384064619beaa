"""Cascade targets and cancellation, called directly (the worker path is covered in tests/workers)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from clinic.appointments import cascades
from tests.support.async_world import SessionWorld

NOW = datetime(2031, 6, 1, 8, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)


def test_time_off_targets_every_future_booked_overlap_even_if_the_event_missed_it(db):
    w = SessionWorld(db)
    service = w.service()
    doctor = w.doctor(w.clinic(), service)
    listed = w.appointment(doctor, w.user(), service, NOW + 24 * H)
    unlisted = w.appointment(doctor, w.user(), service, NOW + 25 * H)
    cancelled = w.appointment(doctor, w.user(), service, NOW + 26 * H, status="cancelled")
    outside = w.appointment(doctor, w.user(), service, NOW + 30 * H)
    time_off = w.scalar(
        "INSERT INTO time_off (doctor_id, starts_at, ends_at) VALUES (:d, :s, :e) RETURNING id",
        d=doctor["id"],
        s=NOW + 23 * H,
        e=NOW + 28 * H,
    )
    ids = cascades.targets(
        db,
        topic="time_off.created",
        now=NOW,
        payload={"time_off_id": time_off, "doctor_id": doctor["id"], "appointment_ids": [listed]},
    )
    assert ids == [listed, unlisted]
    assert cancelled not in ids and outside not in ids


def test_deactivation_targets_future_appointments_unless_reactivated(db):
    w = SessionWorld(db)
    service = w.service()
    doctor = w.doctor(w.clinic(), service)
    past = w.appointment(doctor, w.user(), service, NOW - 24 * H)
    future = w.appointment(doctor, w.user(), service, NOW + 24 * H)
    payload = {"doctor_id": doctor["id"]}
    assert cascades.targets(db, topic="doctor.deactivated", payload=payload, now=NOW) == []  # still active
    w.sql("UPDATE doctors SET active = false WHERE id = :d", d=doctor["id"])
    assert cascades.targets(db, topic="doctor.deactivated", payload=payload, now=NOW) == [future]
    assert past not in cascades.targets(db, topic="doctor.deactivated", payload=payload, now=NOW)


def test_cancel_one_goes_through_the_appointments_service_once(db):
    w = SessionWorld(db)
    service = w.service()
    doctor = w.doctor(w.clinic(), service)
    appt = w.appointment(doctor, w.user(), service, NOW + 24 * H)
    assert cascades.cancel_one(db, appointment_id=appt, topic="time_off.created", now=NOW) is True
    assert cascades.cancel_one(db, appointment_id=appt, topic="time_off.created", now=NOW) is False
    row = w.sql("SELECT status, cancellation_reason, sequence FROM appointments WHERE id = :a", a=appt)[0]
    assert tuple(row) == ("cancelled", "time_off", 1)
    events = w.sql("SELECT payload FROM outbox WHERE topic = 'appointment.cancelled'")
    assert [e[0]["appointment_id"] for e in events] == [appt]
