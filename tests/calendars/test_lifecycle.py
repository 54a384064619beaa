"""Book → reschedule → reschedule → cancel through the real endpoints: the invites and the download agree."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from clinic.calendars.invites import invite_for
from clinic.outbox.models import OutboxMessage
from tests.calendars import strict
from tests.calendars.conftest import book, free_slots


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
        assert (js["method"], js["events"][0]["uid"], js["events"][0]["sequence"]) == (method, event.uid,
                                                                                     event.sequence)
        assert strict.js_utc(js["events"][0]["start_utc"]) == starts_at
        seen.append((cal.method, event.uid, event.sequence, event.dtstart))

    appointment = book(api, cast, slots[0])
    invite_now("REQUEST", appointment)
    for new_start in (slots[5], slots[12]):
        response = api.patch(f"/api/appointments/{appointment['id']}", cast.patient_token,
                             json={"starts_at": new_start})
        assert response.status_code == 200, response.get_json()
        invite_now("REQUEST", response.get_json())
    response = api.post(f"/api/appointments/{appointment['id']}/cancel", cast.patient_token, json={})
    assert response.status_code == 200, response.get_json()
    invite_now("CANCEL", response.get_json())

    assert [method for method, *_ in seen] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert len({uid for _, uid, *_ in seen}) == 1
    sequences = [sequence for _, _, sequence, _ in seen]
    assert sequences[0] == 0 and all(b > a for a, b in zip(sequences, sequences[1:])), sequences
    assert len({start for *_, start in seen[:3]}) == 3  # each REQUEST carried the new time

    # Every change left an outbox message the feed worker is subscribed to.
    topics = [m.topic for m in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
              if m.payload.get("appointment_id") == appointment["id"]]
    assert topics == ["appointment.booked", "appointment.rescheduled", "appointment.rescheduled",
                      "appointment.cancelled"]

    download = api.get(f"/api/appointments/{appointment['id']}/ics", cast.patient_token)
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    cal = strict.parse(download.data)
    assert cal.method == "PUBLISH" and cal.events[0].status == "CANCELLED" and cal.events[0].uid == seen[0][1]
    assert cal.events[0].sequence == sequences[-1] and not cal.events[0].attendees
