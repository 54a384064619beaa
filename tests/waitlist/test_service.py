"""Offering freed slots: who gets the hold, what blocks an offer, and what a hold blocks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from clinic.identity.actor import Actor
from clinic.waitlist import service as waitlist
from tests.conftest import make_settings
from tests.support.async_world import SessionWorld

NOW = datetime(2031, 6, 1, 8, 0, tzinfo=timezone.utc)
SLOT = datetime(2031, 6, 2, 22, 30, tzinfo=timezone.utc)  # 00:30 on 3 June in Madrid
H = timedelta(hours=1)


@pytest.fixture()
def w(db):
    return SessionWorld(db)


@pytest.fixture()
def place(w):
    clinic = w.clinic("Europe/Madrid")
    service = w.service()
    return clinic, service, w.doctor(clinic, service)


def _entry(w, patient, service, doctor=None, first=date(2031, 6, 3), last=date(2031, 6, 10)):
    return w.scalar(
        "INSERT INTO waitlist_entries (patient_id, service_id, doctor_id, from_date, to_date) "
        "VALUES (:p, :s, :d, :f, :t) RETURNING id",
        p=patient["id"],
        s=service,
        d=doctor["id"] if doctor else None,
        f=first,
        t=last,
    )


def _offer(db, clinic, service, doctor, **kw):
    return waitlist.offer_slot(
        db,
        doctor_id=doctor["id"],
        service_id=service,
        clinic_id=clinic,
        starts_at=SLOT,
        ends_at=SLOT + H / 2,
        now=NOW,
        settings=make_settings(),
        **kw,
    )


def test_the_first_matching_patient_gets_the_hold_in_the_clinic_local_date(db, w, place):
    clinic, service, doctor = place
    too_early = w.user()
    _entry(w, too_early, service, first=date(2031, 6, 1), last=date(2031, 6, 2))  # 2 June UTC, 3 June local
    leaving, first, second = w.user(), w.user(), w.user()
    _entry(w, leaving, service)
    _entry(w, first, service, doctor)
    _entry(w, second, service)
    hold = _offer(db, clinic, service, doctor, exclude_patient=leaving["id"])
    assert hold.patient_id == first["id"]
    assert hold.expires_at == NOW + timedelta(minutes=30)
    assert _offer(db, clinic, service, doctor) is None  # held: no second offer of the same slot
    assert waitlist.held_by_other(db, doctor["id"], SLOT, SLOT + H, second["id"], now=NOW) is True
    assert waitlist.held_by_other(db, doctor["id"], SLOT, SLOT + H, first["id"], now=NOW) is False
    assert waitlist.held_by_other(db, doctor["id"], SLOT + H, SLOT + 2 * H, second["id"], now=NOW) is False
    assert waitlist.held_by_other(db, doctor["id"], SLOT, SLOT + H, second["id"], now=hold.expires_at) is False


def test_no_offer_when_the_slot_is_taken_or_the_doctor_is_away(db, w, place):
    clinic, service, doctor = place
    _entry(w, w.user(), service)
    w.appointment(doctor, w.user(), service, SLOT)
    assert _offer(db, clinic, service, doctor) is None
    w.sql("UPDATE appointments SET status = 'cancelled' WHERE doctor_id = :d", d=doctor["id"])
    w.sql(
        "INSERT INTO time_off (doctor_id, starts_at, ends_at) VALUES (:d, :s, :e)",
        d=doctor["id"],
        s=SLOT - H,
        e=SLOT + H,
    )
    assert _offer(db, clinic, service, doctor) is None


def test_booking_uses_the_hold_and_leaving_releases_it(db, w, place):
    clinic, service, doctor = place
    patient = w.user()
    entry = _entry(w, patient, service)
    _offer(db, clinic, service, doctor)
    assert waitlist.settle_holds(
        db, patient_id=patient["id"], doctor_id=doctor["id"], starts_at=SLOT, blocked_until=SLOT + H / 2
    ) == {entry: "fulfilled"}
    assert w.scalar("SELECT status FROM waitlist_entries WHERE id = :e", e=entry) == "fulfilled"
    other = w.user()
    entry2 = _entry(w, other, service)
    hold = waitlist.offer_slot(
        db,
        doctor_id=doctor["id"],
        service_id=service,
        clinic_id=clinic,
        starts_at=SLOT + 2 * H,
        ends_at=SLOT + 2.5 * H,
        now=NOW,
        settings=make_settings(),
    )
    assert hold.entry_id == entry2
    waitlist.leave(db, actor=Actor(other["id"], "patient"), entry_id=entry2)
    assert w.scalar("SELECT status FROM slot_holds WHERE id = :h", h=hold.id) == "expired"
