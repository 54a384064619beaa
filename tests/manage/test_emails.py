"""Every appointment email carries a working `PUBLIC_URL/a/<token>` link (sent through the real sender to the
fake Resend API of tests/support); the waitlist offer's link books the held slot in one tap."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import resend
from sqlalchemy.orm import Session

from clinic.db import make_session_factory
from clinic.notifications import service as notifications
from clinic.notifications.mailer import Mailer
from clinic.notifications.ratelimit import ProviderRateLimiter
from clinic.notifications.render import Renderer
from tests.conftest import make_settings
from tests.support.fake_resend import FakeResend

PUBLIC = "https://clinic.example"
LINK = re.compile(re.escape(PUBLIC) + r"/a/([A-Za-z0-9_-]{22})\b")


@pytest.fixture()
def fake():
    previous = resend.api_url
    with FakeResend() as server:
        resend.api_url = server.url
        yield server
    resend.api_url = previous


@pytest.fixture()
def send(engine, redis_client, fake):
    def deliver(ids: list[int]) -> int:
        limiter = ProviderRateLimiter(redis_client, per_second=50, key=f"test:{uuid.uuid4().hex}")
        sender = notifications.Sender(
            make_session_factory(engine),
            Mailer(api_key="re_test", limiter=limiter),
            Renderer(make_settings(PUBLIC_URL=PUBLIC)),
        )
        return sender.deliver(ids, batch=False)

    return deliver


def _ensure(world, kind, appointment_id, **extra) -> int:
    with world.engine.begin() as conn, Session(bind=conn) as session:
        return notifications.ensure(
            session,
            key=f"{kind}:{appointment_id}:{uuid.uuid4().hex[:6]}",
            kind=kind,
            appointment_id=appointment_id,
            **extra,
        )


def test_every_appointment_email_carries_a_working_manage_link(world, send, fake, api):
    clinic, service = world.clinic(), world.service()
    doctor = world.doctor(clinic, service)
    patient = world.user()
    start = (datetime.now(timezone.utc) + timedelta(days=3)).replace(microsecond=0)
    appt = world.appointment(doctor, patient, service, start)
    gone = world.appointment(doctor, patient, service, start + timedelta(hours=2), status="cancelled")
    ids = {
        "confirmation": _ensure(world, "confirmation", appt),
        "rescheduled": _ensure(world, "rescheduled", appt),
        "reminder": _ensure(world, "reminder", appt, details={"starts_at": start.isoformat()}),
        "cancelled": _ensure(world, "cancelled", gone, details={"cause": "patient"}),
    }
    assert send(list(ids.values())) == 4
    emails = {e["subject"].split(":")[0]: e for e in fake.emails}
    assert set(emails) == {"Cita confirmada", "Cita cambiada", "Recordatorio de tu cita", "Cita cancelada"}
    tokens = set()
    for subject, email in emails.items():
        assert f"{PUBLIC}/appointments/" not in email["text"] + email["html"], subject  # no sign-in link left
        found = LINK.findall(email["text"])
        assert found and set(found) <= set(LINK.findall(email["html"])), subject
        expected = gone if subject == "Cita cancelada" else appt
        for token in set(found):
            r = api.get(f"/api/manage/{token}")
            assert r.status_code == 200 and r.get_json()["id"] == expected, (subject, r.get_json())
        tokens |= set(found)
    assert len(tokens) == 4  # one token per email, each minted when it was composed
    # The confirmation's Google/Outlook links carry the same manage link in the event's details.
    confirmation = emails["Cita confirmada"]["text"]
    assert "calendar.google.com" in confirmation and "%2Fa%2F" in confirmation
    # What was stored (the delivery's payload) is gone once sent: the token lives only in the mailbox.
    assert (
        world.scalar("SELECT count(*) FROM deliveries WHERE id = ANY(:i) AND payload IS NOT NULL", i=list(ids.values()))
        == 0
    )
    assert (
        world.scalar(
            "SELECT count(*) FROM manage_links WHERE appointment_id IN (:a, :b) AND channel = 'email'", a=appt, b=gone
        )
        == 4
    )


def test_the_waitlist_offer_is_accepted_in_one_tap(world, send, fake, api, db):
    clinic, service = world.clinic(), world.service()
    doctor = world.doctor(clinic, service)
    world.sql(
        "INSERT INTO working_hours (doctor_id, weekday, start_time, end_time) "
        "SELECT :d, g, '00:00', '23:59' FROM generate_series(0, 6) g",
        d=doctor["id"],
    )
    holder, leaver = world.user(locale="en"), world.user()
    start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    freed = world.appointment(doctor, leaver, service, start, status="cancelled")
    entry = world.scalar(
        "INSERT INTO waitlist_entries (patient_id, service_id, doctor_id, from_date, to_date, status) "
        "VALUES (:p, :s, :d, :f, :t, 'offered') RETURNING id",
        p=holder["id"],
        s=service,
        d=doctor["id"],
        f=start.date() - timedelta(days=1),
        t=start.date() + timedelta(days=1),
    )
    hold = world.scalar(
        "INSERT INTO slot_holds (entry_id, patient_id, doctor_id, service_id, source_appointment_id, "
        "starts_at, ends_at, blocked_until, expires_at) VALUES (:e, :p, :d, :s, :a, :st, :en, :en, "
        "now() + interval '30 minutes') RETURNING id",
        e=entry,
        p=holder["id"],
        d=doctor["id"],
        s=service,
        a=freed,
        st=start,
        en=start + timedelta(minutes=30),
    )
    delivery = _ensure(world, "waitlist_offer", freed, recipient_id=holder["id"], details={"hold_id": hold})
    assert send([delivery]) == 1
    [offer] = fake.emails
    assert offer["to"] == [holder["email"]] and offer["subject"].startswith("A slot has freed up")
    [token] = set(LINK.findall(offer["text"]))
    # The link shows the held slot (not the cancelled appointment it came from)...
    shown = api.get(f"/api/manage/{token}").get_json()
    assert shown["kind"] == "offer" and shown["id"] is None and shown["status"] == "offered"
    assert datetime.fromisoformat(shown["starts_at"]) == start and shown["hold_expires_at"]
    # ...it cannot cancel or move anything...
    assert api.post(f"/api/manage/{token}/cancel").status_code == 404
    assert api.patch(f"/api/manage/{token}", json={"starts_at": start.isoformat()}).status_code == 404
    # ...and one tap books the held slot for the holder.
    r = api.post(f"/api/manage/{token}/accept")
    assert r.status_code == 200, r.get_json()
    booked = r.get_json()
    assert booked["kind"] == "appointment" and booked["status"] == "booked" and booked["id"] != freed
    assert datetime.fromisoformat(booked["starts_at"]) == start
    from sqlalchemy import text

    row = db.execute(text("SELECT patient_id FROM appointments WHERE id = :i"), {"i": booked["id"]}).one()
    assert row.patient_id == holder["id"]
    assert db.scalar(text("SELECT status FROM slot_holds WHERE id = :h"), {"h": hold}) == "used"
    assert db.scalar(text("SELECT status FROM waitlist_entries WHERE id = :e"), {"e": entry}) == "fulfilled"
    history = db.execute(
        text("SELECT action, details FROM appointment_history WHERE appointment_id = :i ORDER BY id"),
        {"i": booked["id"]},
    ).all()
    assert ("offer_accepted", {"via": "manage_link", "channel": "email"}) in [tuple(h) for h in history]
    # The answer's own token manages the new appointment; the offer's is spent.
    assert api.get(f"/api/manage/{booked['manage_token']}").get_json()["id"] == booked["id"]
    assert api.post(f"/api/manage/{token}/accept").status_code == 404
