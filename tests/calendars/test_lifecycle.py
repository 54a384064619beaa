"""Book → reschedule → reschedule → cancel through the real endpoints: the invites and the download agree."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from sqlalchemy import select

from clinic.calendars.invites import invite_for
from clinic.clock import utcnow
from clinic.notifications import events
from clinic.notifications.mailer import SmtpMailer
from clinic.notifications.models import Delivery
from clinic.notifications.render import Renderer
from clinic.outbox.models import OutboxMessage
from tests.calendars import strict
from tests.calendars.conftest import book, free_slots
from tests.conftest import make_settings
from tests.support.fake_smtp import FakeSMTP, calendar_part


def test_uid_sequence_and_method_across_the_life_of_an_appointment(api, db, cast):
    slots = free_slots(api, cast)
    seen = []

    def invite_now(method: str, state: dict) -> None:
        """What the email worker attaches right after this change."""
        body = invite_for(db, appointment_id=state["id"], method=method)
        cal = strict.parse(body)
        (event,) = cal.events
        assert cal.method == method
        assert event.status == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
        starts_at = datetime.fromisoformat(state["starts_at"])
        assert strict.utc(event.dtstart) == starts_at and event.dtstart.utcoffset() == starts_at.utcoffset()
        assert event.sequence == state["sequence"]
        assert "palpitaciones" not in body.decode() and "Cardiolog" not in body.decode()
        js = strict.icaljs(body)
        assert (js["method"], js["events"][0]["uid"], js["events"][0]["sequence"]) == (
            method,
            event.uid,
            event.sequence,
        )
        assert strict.js_utc(js["events"][0]["start_utc"]) == starts_at
        seen.append((cal.method, event.uid, event.sequence, event.dtstart))

    appointment = book(api, cast, slots[0])
    invite_now("REQUEST", appointment)
    for new_start in (slots[5], slots[12]):
        response = api.patch(
            f"/api/appointments/{appointment['id']}", cast.patient_token, json={"starts_at": new_start}
        )
        assert response.status_code == 200, response.get_json()
        invite_now("REQUEST", response.get_json())
    response = api.post(f"/api/appointments/{appointment['id']}/cancel", cast.patient_token, json={})
    assert response.status_code == 200, response.get_json()
    invite_now("CANCEL", response.get_json())

    assert [method for method, *_ in seen] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert len({uid for _, uid, *_ in seen}) == 1
    sequences = [sequence for _, _, sequence, _ in seen]
    assert sequences[0] == 0 and all(b > a for a, b in zip(sequences, sequences[1:], strict=False)), sequences
    assert len({start for *_, start in seen[:3]}) == 3  # each REQUEST carried the new time

    # Every change left an outbox message the feed worker is subscribed to.
    topics = [
        m.topic
        for m in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if m.payload.get("appointment_id") == appointment["id"]
    ]
    assert topics == [
        "appointment.booked",
        "appointment.rescheduled",
        "appointment.rescheduled",
        "appointment.cancelled",
    ]

    download = api.get(f"/api/appointments/{appointment['id']}/ics", cast.patient_token)
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    cal = strict.parse(download.data)
    assert cal.method == "PUBLISH" and cal.events[0].status == "CANCELLED" and cal.events[0].uid == seen[0][1]
    assert cal.events[0].sequence == sequences[-1] and not cal.events[0].attendees


def test_imip_messages_keep_one_uid_while_email_from_changes(api, db, cast, monkeypatch):
    """Book → move → move → cancel through the real endpoints; after each change the email worker's own
    renderer builds the invitation and sends it to a real SMTP server on loopback, with a different
    EMAIL_FROM (and PUBLIC_URL) each time. One UID, REQUEST ×3 then CANCEL, SEQUENCE increasing, and the
    part's `method` always equal to the calendar's METHOD."""
    slots = free_slots(api, cast)
    senders = [
        "Clínica <citas@clinic-one.example>",
        "Clínica Sol <hola@other-domain.example>",
        "citas@third.example",
        "Clínica <no-reply@fourth.example>",
    ]
    received = []
    with FakeSMTP() as smtp:

        def email_after(topic: str, appointment_id: int, sender: str) -> None:
            monkeypatch.setenv("EMAIL_FROM", sender)  # what ics.email_from() reads, as the processes do
            outbox = db.scalars(
                select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id.desc())
            ).first()
            row = db.get(
                Delivery, events.event_delivery(db, topic=topic, payload={**outbox.payload, "event_id": outbox.id})
            )
            settings = make_settings(
                EMAIL_FROM=sender, SMTP_URL=smtp.url, PUBLIC_URL=f"https://{len(received)}.example"
            )
            [payload] = Renderer(settings).render(db, [row], now=utcnow()).values()
            SmtpMailer(settings.smtp_url, limiter=None).send(payload["smtp"], key=row.key)
            [message] = smtp.to(cast.patient.email)[len(received) :]
            assert message["mail_from"] == parseaddr(sender)[1]
            received.append(message["msg"])

        appointment = book(api, cast, slots[0])
        email_after("appointment.booked", appointment["id"], senders[0])
        for new_start, sender in ((slots[5], senders[1]), (slots[12], senders[2])):
            response = api.patch(
                f"/api/appointments/{appointment['id']}", cast.patient_token, json={"starts_at": new_start}
            )
            assert response.status_code == 200, response.get_json()
            email_after("appointment.rescheduled", appointment["id"], sender)
        response = api.post(f"/api/appointments/{appointment['id']}/cancel", cast.patient_token, json={})
        assert response.status_code == 200, response.get_json()
        email_after("appointment.cancelled", appointment["id"], senders[3])

    seen = []
    for msg in received:
        method, body = calendar_part(msg)
        cal = strict.parse(body)
        (event,) = cal.events
        assert method == cal.method
        assert len(msg.get_all("Resend-Idempotency-Key")) == 1
        seen.append((cal.method, event.uid, event.sequence, event.organizer.uri))
    assert [method for method, *_ in seen] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert len({uid for _, uid, _, _ in seen}) == 1
    uid = seen[0][1]
    assert not any(domain in uid for domain in ("clinic-one", "other-domain", "third", "fourth"))
    sequences = [sequence for _, _, sequence, _ in seen]
    assert sequences[0] == 0 and all(b > a for a, b in zip(sequences, sequences[1:], strict=False)), sequences
    assert [organizer for *_, organizer in seen] == [f"mailto:{parseaddr(s)[1]}" for s in senders]
    assert len({msg["Resend-Idempotency-Key"] for msg in received}) == 4
    # The download and the feed name the same event.
    download = api.get(f"/api/appointments/{appointment['id']}/ics", cast.patient_token)
    assert strict.parse(download.data).events[0].uid == uid
