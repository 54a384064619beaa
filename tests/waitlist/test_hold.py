"""A waitlist hold is enforced where bookings are decided: while it is active, the held slot is offered to
and bookable by its holder only (and by staff booking for the holder); it returns to everyone when the
hold lapses or is declined (issue 13, defect 5)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from clinic.appointments import service as appointments
from clinic.availability.service import slots
from clinic.clock import utcnow
from clinic.errors import Conflict
from clinic.identity.actor import Actor
from clinic.waitlist import service as waitlist
from web.schemas.scheduling import slots_json as _written
from tests.conftest import make_settings
from tests.scheduling.factories import future_day, make_doctor


def slots_json(db, **kw) -> bytes:
    """The slots endpoint's answer body: the availability engine's data as the web schema writes it."""
    return _written(slots(db, **kw)).body


class Held:
    """A doctor's 10:00 slot, freed and held for `holder`; `other` is another patient."""

    def __init__(self, db, make_user):
        self.db = db
        self.setup = make_doctor(db)
        self.day = future_day()
        self.start = self.setup.at(self.day, 10)
        self.holder, self.other, self.next = make_user(), make_user(), make_user()
        self.entry = self.join(self.holder)
        self.next_entry = self.join(self.next)
        self.hold = waitlist.offer_slot(
            db,
            doctor_id=self.setup.doctor.id,
            service_id=self.setup.service_id,
            clinic_id=self.setup.clinic_id,
            starts_at=self.start,
            ends_at=self.start + timedelta(minutes=30),
            now=utcnow(),
            settings=make_settings(),
        )
        assert self.hold is not None and self.hold.patient_id == self.holder.id

    def join(self, patient) -> int:
        return self.db.execute(
            text(
                "INSERT INTO waitlist_entries (patient_id, service_id, doctor_id, from_date, to_date) "
                "VALUES (:p, :s, :d, :f, :f) RETURNING id"
            ),
            {"p": patient.id, "s": self.setup.service_id, "d": self.setup.doctor.id, "f": self.day},
        ).scalar()

    def body(self, starts_at=None, **extra) -> dict:
        return {
            "doctor_id": self.setup.doctor.id,
            "service_id": self.setup.service_id,
            "starts_at": (starts_at or self.start).isoformat(),
            **extra,
        }

    def slots(self, api, token, service_id=None, extra="") -> list[str]:
        r = api.get(
            f"/api/doctors/{self.setup.doctor.id}/slots?service_id={service_id or self.setup.service_id}"
            f"&from={self.day}&to={self.day}{extra}",
            token,
        )
        assert r.status_code == 200, r.get_json()
        return [s["starts_at"] for s in r.get_json()["slots"]]


@pytest.fixture()
def held(db, make_user) -> Held:
    return Held(db, make_user)


def _code(response) -> str | None:
    return (response.get_json() or {}).get("error", {}).get("code")


def test_another_patient_neither_sees_nor_books_the_held_slot(api, held, token_for):
    other = token_for(held.other)
    assert held.start.isoformat() not in held.slots(api, other)
    assert held.setup.at(held.day, 10, 30).isoformat() in held.slots(api, other)  # only the held slot is hidden
    r = api.post("/api/appointments", other, json=held.body())
    assert r.status_code == 409 and _code(r) == "slot_held", r.get_json()
    assert "held" in r.get_json()["error"]["message"]


def test_an_overlapping_slot_of_a_longer_service_is_held_too(api, held, token_for):
    """09:45 for 45 minutes (+15 of buffer) would overlap the held 10:00-10:30."""
    other = token_for(held.other)
    assert held.setup.at(held.day, 9).isoformat() in held.slots(api, other, held.setup.long_service_id)
    assert held.setup.at(held.day, 9, 45).isoformat() not in held.slots(api, other, held.setup.long_service_id)
    r = api.post(
        "/api/appointments",
        other,
        json=held.body(held.setup.at(held.day, 9, 45), service_id=held.setup.long_service_id),
    )
    assert r.status_code == 409 and _code(r) == "slot_held"


def test_the_holder_sees_and_books_the_held_slot(api, held, token_for, db):
    holder = token_for(held.holder)
    assert held.start.isoformat() in held.slots(api, holder)
    r = api.post("/api/appointments", holder, json=held.body())
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["patient_id"] == held.holder.id


def test_staff_book_the_held_slot_for_the_holder_only(api, held, token_for, make_user):
    """Staff cannot give a held slot to someone else; releasing the hold first is the way (see decline).
    Naming the patient, they see the slots as that patient would."""
    desk = token_for(make_user("receptionist"))
    assert held.start.isoformat() not in held.slots(api, desk)
    assert held.start.isoformat() not in held.slots(api, desk, extra=f"&patient_id={held.other.id}")
    assert held.start.isoformat() in held.slots(api, desk, extra=f"&patient_id={held.holder.id}")
    r = api.post("/api/appointments", desk, json=held.body(patient_id=held.other.id))
    assert r.status_code == 409 and _code(r) == "slot_held"
    r = api.post("/api/appointments", desk, json=held.body(patient_id=held.holder.id))
    assert r.status_code == 201, r.get_json()


def test_moving_another_appointment_onto_the_held_slot_is_refused(api, held, token_for):
    other = token_for(held.other)
    booked = api.post("/api/appointments", other, json=held.body(held.setup.at(held.day, 11))).get_json()
    r = api.patch(f"/api/appointments/{booked['id']}", other, json={"starts_at": held.start.isoformat()})
    assert r.status_code == 409 and _code(r) == "slot_held", r.get_json()


def test_the_slot_returns_to_everyone_once_the_hold_lapses(api, held, token_for, db):
    other = token_for(held.other)
    # The hold's expiry passes on the database clock; the sweep has not run yet (the hold is still 'active').
    db.execute(
        text("UPDATE slot_holds SET expires_at = now() - interval '1 second' WHERE id = :h"), {"h": held.hold.id}
    )
    assert held.start.isoformat() in held.slots(api, other)
    r = api.post("/api/appointments", other, json=held.body())
    assert r.status_code == 201, r.get_json()


def test_the_hold_ends_at_its_expiry_on_the_clock_the_rules_are_given(db, held):
    """The time parameter the booking and the slots take (the request's clock): held until `expires_at`,
    free from that instant on."""
    other = Actor(held.other.id, "patient")
    kw = dict(
        actor=other,
        doctor_id=held.setup.doctor.id,
        service_id=held.setup.service_id,
        first=held.day,
        last=held.day,
        settings=make_settings(),
    )
    expiry = held.hold.expires_at

    def starts(now):
        return [slot["starts_at"] for slot in json.loads(slots_json(db, now=now, **kw))["slots"]]

    assert held.start.isoformat() not in starts(expiry - timedelta(seconds=1))
    assert held.start.isoformat() in starts(expiry)
    book = dict(
        actor=other,
        doctor_id=held.setup.doctor.id,
        service_id=held.setup.service_id,
        starts_at=held.start,
        settings=make_settings(),
    )
    with pytest.raises(Conflict) as refused:
        appointments.book(db, now=expiry - timedelta(seconds=1), **book)
    assert refused.value.code == "slot_held"
    assert appointments.book(db, now=expiry, **book).patient_id == held.other.id


def test_the_sweep_after_the_lapse_hands_the_slot_to_the_next_patient(db, held):
    expiry = held.hold.expires_at
    assert waitlist.expire_holds(db, now=expiry, settings=make_settings()) == 1
    assert db.scalar(text("SELECT status FROM slot_holds WHERE id = :h"), {"h": held.hold.id}) == "expired"
    assert db.scalar(text("SELECT status FROM waitlist_entries WHERE id = :e"), {"e": held.entry}) == "waiting"


def test_the_slot_returns_to_everyone_once_the_holder_declines(api, held, token_for, db):
    holder, other = token_for(held.holder), token_for(held.other)
    r = api.post(f"/api/waitlist/{held.entry}/decline", holder)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "waiting"  # still on the list for another slot
    assert db.scalar(text("SELECT status FROM slot_holds WHERE id = :h"), {"h": held.hold.id}) == "expired"
    # ...and the freed slot goes on to the next waiting patient, as when a hold lapses.
    payload = db.scalar(
        text("SELECT payload FROM outbox WHERE topic = 'waitlist.hold_expired' AND (payload->>'hold_id')::bigint = :h"),
        {"h": held.hold.id},
    )
    assert payload["doctor_id"] == held.setup.doctor.id
    assert held.start.isoformat() in held.slots(api, other)
    assert api.post("/api/appointments", other, json=held.body()).status_code == 201


def test_leaving_the_waitlist_releases_the_hold(api, held, token_for):
    holder, other = token_for(held.holder), token_for(held.other)
    assert api.call("DELETE", f"/api/waitlist/{held.entry}", holder).status_code == 204
    assert held.start.isoformat() in held.slots(api, other)
    assert api.post("/api/appointments", other, json=held.body()).status_code == 201


def test_only_an_offered_entry_can_be_declined_and_only_by_its_patient_or_staff(api, held, token_for, make_user):
    assert api.post(f"/api/waitlist/{held.entry}/decline", token_for(held.other)).status_code == 404
    r = api.post(f"/api/waitlist/{held.next_entry}/decline", token_for(held.next))
    assert r.status_code == 409 and _code(r) == "nothing_to_decline"
    desk = token_for(make_user("receptionist"))
    assert api.post(f"/api/waitlist/{held.entry}/decline", desk).status_code == 200
    assert api.post("/api/waitlist/999999/decline", desk).status_code == 404


def test_a_booking_that_raced_the_offer_voids_the_hold(db, held, make_user):
    """The offer checks the slot and inserts the hold in one transaction; a booking statement that started
    before that commit cannot see the hold. Its `appointment.booked` event then voids the hold (the slot
    was taken first) and puts the holder back in the queue, so no one is told a slot is theirs when it is not."""
    from clinic.waitlist.events import on_slot_event

    appointment = db.execute(
        text(
            "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until) "
            "VALUES (:d, :p, :s, :c, :a, :b, :b) RETURNING id"
        ),
        {
            "d": held.setup.doctor.id,
            "p": held.other.id,
            "s": held.setup.service_id,
            "c": held.setup.clinic_id,
            "a": held.start,
            "b": held.start + timedelta(minutes=30),
        },
    ).scalar()
    on_slot_event(
        db, topic="appointment.booked", payload={"appointment_id": appointment}, now=utcnow(), settings=make_settings()
    )
    assert db.scalar(text("SELECT status FROM slot_holds WHERE id = :h"), {"h": held.hold.id}) == "expired"
    assert db.scalar(text("SELECT status FROM waitlist_entries WHERE id = :e"), {"e": held.entry}) == "waiting"


def test_the_holder_booking_uses_the_hold(db, held, api, token_for):
    from clinic.waitlist.events import on_slot_event

    r = api.post("/api/appointments", token_for(held.holder), json=held.body())
    on_slot_event(
        db,
        topic="appointment.booked",
        payload={"appointment_id": r.get_json()["id"]},
        now=utcnow(),
        settings=make_settings(),
    )
    assert db.scalar(text("SELECT status FROM slot_holds WHERE id = :h"), {"h": held.hold.id}) == "used"
    assert db.scalar(text("SELECT status FROM waitlist_entries WHERE id = :e"), {"e": held.entry}) == "fulfilled"


def test_the_holder_may_move_an_appointment_into_the_held_slot_which_uses_the_hold(db, held, api, token_for):
    from clinic.waitlist.events import on_slot_event

    holder = token_for(held.holder)
    later = api.post("/api/appointments", holder, json=held.body(held.setup.at(held.day, 16))).get_json()
    r = api.patch(f"/api/appointments/{later['id']}", holder, json={"starts_at": held.start.isoformat()})
    assert r.status_code == 200, r.get_json()
    on_slot_event(
        db,
        topic="appointment.rescheduled",
        payload={"appointment_id": later["id"]},
        now=utcnow(),
        settings=make_settings(),
    )
    assert db.scalar(text("SELECT status FROM slot_holds WHERE id = :h"), {"h": held.hold.id}) == "used"
    assert db.scalar(text("SELECT status FROM waitlist_entries WHERE id = :e"), {"e": held.entry}) == "fulfilled"
