"""Feed documents: what they contain, how they are rebuilt and stored, and what serving returns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from clinic.calendars import feeds
from clinic.calendars.models import CalendarFeed
from clinic.clock import utcnow
from clinic.outbox.models import OutboxMessage
from tests.calendars import strict
from tests.calendars.factories import make_appointment, make_clinic, make_doctor, make_service

SECRET = "s" * 40
HORIZON = 365


@pytest.fixture()
def people(db, make_user):
    clinic = make_clinic(db)
    doctor_user = make_user("doctor", full_name="Dra. Marta Ruiz", locale="en")
    doctor = make_doctor(db, doctor_user, clinic)
    patient = make_user("patient", full_name="Ana María Pérez López")
    return clinic, doctor, doctor_user, patient, make_service(db)


def _at(days: float, hour: int = 10) -> datetime:
    day = (utcnow() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("Europe/Madrid")).astimezone(timezone.utc)


def _stored(db, user_id) -> CalendarFeed:
    db.expire_all()
    return db.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).one()


def test_creating_a_feed_asks_the_workers_to_build_it(db, people):
    *_, patient, _ = people
    token = feeds.feed_token(db, user_id=patient.id, secret=SECRET)
    assert len(token) >= 40
    assert feeds.feed_token(db, user_id=patient.id, secret=SECRET) == token  # same URL on every ask
    messages = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "calendar.feed_created")).all()
    assert [m.payload for m in messages if m.payload["user_id"] == patient.id] == [{"user_id": patient.id}]
    feed = _stored(db, patient.id)
    assert feed.body is None and feed.token_hash == feeds.token_hash(token) and token.encode() not in feed.token_hash


def test_patient_and_doctor_feeds(db, people):
    clinic, doctor, doctor_user, patient, service = people
    kept = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=_at(3), reason="migraña")
    make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=_at(4), status="cancelled")
    make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=_at(-100))  # out of window
    past = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=_at(-10), status="completed")
    for user in (patient, doctor_user):
        feeds.feed_token(db, user_id=user.id, secret=SECRET)
        feeds.rebuild_for_message(db, topic="calendar.feed_created", payload={"user_id": user.id}, horizon_days=HORIZON)

    body = _stored(db, patient.id).body
    cal = strict.parse(body)
    assert cal.method == "PUBLISH"
    assert [e.uid for e in cal.events] == [past.ical_uid, kept.ical_uid]
    event = cal.events[1]
    assert event.summary == "Cita en Clínica Sol" and strict.utc(event.dtstart) == kept.starts_at
    assert event.sequence == 0 and event.organizer.common_name == "Clínica Sol" and not event.attendees
    assert b"migra" not in body and b"Cardiolog" not in body and service.name.encode() not in body

    js = strict.icaljs(body)
    assert js["method"] == "PUBLISH" and [e["uid"] for e in js["events"]] == [e.uid for e in cal.events]
    assert strict.js_utc(js["events"][1]["start_utc"]) == kept.starts_at

    doctor_body = _stored(db, doctor_user.id).body
    doctor_cal = strict.parse(doctor_body)
    assert [e.summary for e in doctor_cal.events] == ["Appointment: Ana L.", "Appointment: Ana L."]
    assert patient.email.encode() not in doctor_body and b"P\xc3\xa9rez" not in doctor_body


def test_rebuild_follows_changes_and_keeps_etag_when_nothing_changed(db, people):
    clinic, doctor, doctor_user, patient, service = people
    appt = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=_at(5))
    original_start = appt.starts_at
    feeds.feed_token(db, user_id=patient.id, secret=SECRET)
    assert feeds.rebuild(db, user_id=patient.id, horizon_days=HORIZON)
    first = _stored(db, patient.id)
    etag, modified = first.etag, first.modified_at
    assert not feeds.rebuild(db, user_id=patient.id, horizon_days=HORIZON)  # deterministic document
    assert _stored(db, patient.id).etag == etag

    db.execute(
        text(
            "UPDATE appointments SET starts_at = starts_at + interval '1 day', ends_at = ends_at + "
            "interval '1 day', blocked_until = blocked_until + interval '1 day', sequence = 1, "
            "updated_at = now() WHERE id = :id"
        ),
        {"id": appt.id},
    )
    feeds.rebuild_for_message(
        db, topic="appointment.rescheduled", payload={"appointment_id": appt.id}, horizon_days=HORIZON
    )
    moved = _stored(db, patient.id)
    assert moved.etag != etag and moved.modified_at > modified
    event = strict.parse(moved.body).events[0]
    assert event.sequence == 1 and strict.utc(event.dtstart) == original_start + timedelta(days=1)

    db.execute(text("UPDATE appointments SET status = 'cancelled', sequence = 2 WHERE id = :id"), {"id": appt.id})
    feeds.rebuild_for_message(
        db, topic="appointment.cancelled", payload={"appointment_id": appt.id}, horizon_days=HORIZON
    )
    empty = _stored(db, patient.id).body
    assert strict.parse(empty).events == [] and strict.icaljs(empty)["events"] == []
    assert b"BEGIN:VTIMEZONE" in empty  # still one component, as RFC 5545 requires


def test_users_without_a_feed_are_not_built(db, people):
    clinic, doctor, doctor_user, patient, service = people
    appt = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=_at(5))
    feeds.rebuild_for_message(db, topic="appointment.booked", payload={"appointment_id": appt.id}, horizon_days=HORIZON)
    assert db.scalar(select(CalendarFeed).where(CalendarFeed.user_id.in_([patient.id, doctor_user.id]))) is None
    # An appointment that no longer exists: nothing to do, no error.
    feeds.rebuild_for_message(db, topic="appointment.booked", payload={"appointment_id": 10**12}, horizon_days=HORIZON)


def test_serve_conditions(db, people):
    *_, patient, _ = people
    token = feeds.feed_token(db, user_id=patient.id, secret=SECRET)
    assert feeds.serve(db, token=token).content is None  # not built yet
    feeds.rebuild(db, user_id=patient.id, horizon_days=HORIZON)
    stored = _stored(db, patient.id)
    full = feeds.serve(db, token=token)
    assert full.content == stored.body and full.etag == stored.etag
    assert feeds.serve(db, token=token, etags=[stored.etag]).not_modified
    assert feeds.serve(db, token=token, etags=['"other"']).content == stored.body
    assert feeds.serve(db, token=token, any_etag=True).not_modified
    assert feeds.serve(db, token=token, since=stored.modified_at).not_modified
    assert feeds.serve(db, token=token, since=stored.modified_at - timedelta(seconds=1)).content == stored.body
    assert feeds.serve(db, token=token, gzip_ok=True).content == stored.body_gzip
    assert feeds.serve(db, token=token + "x") is None


def test_rotation_revokes_the_old_token(db, people):
    *_, patient, _ = people
    old = feeds.feed_token(db, user_id=patient.id, secret=SECRET)
    feeds.rebuild(db, user_id=patient.id, horizon_days=HORIZON)
    new = feeds.rotate(db, user_id=patient.id, secret=SECRET)
    assert new != old and feeds.serve(db, token=old) is None
    assert feeds.serve(db, token=new).content  # the stored document survives rotation
    assert feeds.feed_token(db, user_id=patient.id, secret=SECRET) == new


def test_feed_with_two_zones_keeps_wall_clock_across_dst(db, make_user):
    """One patient, clinics in Madrid and New York, appointments on both sides of each DST change."""
    patient = make_user("patient")
    service = make_service(db)
    series = {
        "Europe/Madrid": [
            datetime(2027, 3, 26, 9),
            datetime(2027, 3, 29, 9),
            datetime(2027, 10, 29, 17, 30),
            datetime(2027, 11, 2, 17, 30),
        ],
        "America/New_York": [
            datetime(2027, 3, 12, 9),
            datetime(2027, 3, 15, 9),
            datetime(2027, 11, 5, 16),
            datetime(2027, 11, 8, 16),
        ],
    }
    expected = {}
    for zone, walls in series.items():
        clinic = make_clinic(db, timezone=zone, name=f"Clínica {zone}")
        doctor = make_doctor(db, make_user("doctor"), clinic)
        for wall in walls:
            starts_at = wall.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
            appt = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=starts_at)
            expected[appt.ical_uid] = (zone, wall, starts_at)
    feeds.feed_token(db, user_id=patient.id, secret=SECRET)
    feeds.rebuild(db, user_id=patient.id, horizon_days=730, now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    body = _stored(db, patient.id).body

    renamed = body.replace(b"Europe/Madrid", b"Private/One").replace(b"America/New_York", b"Private/Two")
    for cal in (strict.parse(body), strict.parse(renamed)):
        assert len(cal.events) == 8 and len(cal.timezones) == 2
        for event in cal.events:
            zone, wall, starts_at = expected[event.uid]
            assert strict.utc(event.dtstart) == starts_at and event.dtstart.replace(tzinfo=None) == wall
    js = strict.icaljs(body)
    assert sorted(js["timezones"]) == ["America/New_York", "Europe/Madrid"]
    for ev in js["events"]:
        zone, wall, starts_at = expected[ev["uid"]]
        assert (ev["tzid"], ev["start_local"], strict.js_utc(ev["start_utc"])) == (zone, wall.isoformat(), starts_at)


def test_a_disabled_account_has_no_feed(db, people):
    *_, patient, _ = people
    token = feeds.feed_token(db, user_id=patient.id, secret=SECRET)
    feeds.rebuild(db, user_id=patient.id, horizon_days=HORIZON)
    assert feeds.serve(db, token=token).content
    db.execute(text("UPDATE users SET is_active = false WHERE id = :id"), {"id": patient.id})
    assert feeds.serve(db, token=token) is None


def test_the_token_secret_is_configurable():
    from tests.conftest import make_settings

    assert make_settings().calendar_token_secret == make_settings().jwt_secret_key
    assert make_settings(CALENDAR_TOKEN_SECRET="c" * 40).calendar_token_secret == "c" * 40
    nonce = b"n" * 18
    assert feeds.token_for("a" * 40, nonce) != feeds.token_for("b" * 40, nonce)
