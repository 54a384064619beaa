"""Time-off cascades and the waitlist, through the real scheduler loop and a real worker."""

from __future__ import annotations

import re

import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from clinic.db import make_session_factory
from clinic.identity.actor import Actor
from clinic.waitlist import service as waitlist
from clinic.waitlist.service import held_by_other
from tests.support.async_world import PY, ROOT, scheduler_once
from tests.support.fake_resend import attachment_text


@pytest.fixture()
def scheduler_loop(env, tmp_path):
    log = open(tmp_path / "scheduler.log", "wb")
    proc = subprocess.Popen(
        [PY, "-m", "scheduler"],
        cwd=ROOT,
        env={**env, "SCHEDULER_SWEEP_SECONDS": "3600"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield proc
    proc.terminate()
    proc.wait(timeout=15)
    log.close()


def test_time_off_cancels_overlapping_appointments_and_tells_each_patient(world, fake, env, workers, scheduler_loop):
    clinic = world.clinic()
    service = world.service()
    doctor = world.doctor(clinic, service)
    start = (datetime.now(timezone.utc) + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    inside = [world.user(), world.user()]
    outside = world.user()
    ids = [world.appointment(doctor, p, service, start + timedelta(hours=i)) for i, p in enumerate(inside)]
    spared = world.appointment(doctor, outside, service, start + timedelta(hours=5))
    workers(env)
    time_off = world.scalar(
        "INSERT INTO time_off (doctor_id, starts_at, ends_at) VALUES (:d, :s, :e) RETURNING id",
        d=doctor["id"],
        s=start,
        e=start + timedelta(hours=3),
    )
    world.emit("time_off.created", time_off_id=time_off, doctor_id=doctor["id"], appointment_ids=ids)
    for patient in inside:
        [email] = fake.wait_for(patient["email"], 1, timeout=20)
        assert email["subject"].startswith("Cita cancelada")
        assert "no estará disponible" in email["text"] and "/book?doctor_id=" in email["text"]
        assert "METHOD:CANCEL" in attachment_text(email)
    statuses = world.sql("SELECT status, cancellation_reason FROM appointments WHERE id = ANY(:ids)", ids=ids)
    assert {tuple(r) for r in statuses} == {("cancelled", "time_off")}
    assert world.scalar("SELECT status FROM appointments WHERE id = :a", a=spared) == "booked"
    assert fake.to(outside["email"]) == []


def test_a_freed_slot_is_held_for_the_first_waiting_patient_then_the_next(
    world, fake, env, workers, scheduler_loop, engine
):
    clinic = world.clinic("Europe/Madrid")
    service = world.service()
    doctor = world.doctor(clinic, service)
    start = (datetime.now(timezone.utc) + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    day = start.date()
    first, second, third, unrelated = world.user(), world.user(), world.user(), world.user()
    for patient in (first, second, third):
        world.sql(
            "INSERT INTO waitlist_entries (patient_id, service_id, doctor_id, from_date, to_date) "
            "VALUES (:p, :s, :d, :f, :t)",
            p=patient["id"],
            s=service,
            d=doctor["id"],
            f=day - timedelta(days=1),
            t=day + timedelta(days=1),
        )
    leaving = world.user()
    appt = world.appointment(doctor, leaving, service, start)
    workers(env)
    world.sql("UPDATE appointments SET status = 'cancelled', sequence = 1 WHERE id = :a", a=appt)
    world.emit("appointment.cancelled", appointment_id=appt, cause="patient")

    [offer] = fake.wait_for(first["email"], 1, timeout=20)
    assert offer["subject"].startswith("Hay un hueco libre")
    assert re.search(r"/a/[A-Za-z0-9_-]{22}", offer["text"])  # one tap books the held slot (a manage link)
    assert fake.to(second["email"]) == []
    end = start + timedelta(minutes=30)
    with make_session_factory(engine)() as session:
        assert held_by_other(session, doctor["id"], start, end, unrelated["id"]) is True
        assert held_by_other(session, doctor["id"], start, end, first["id"]) is False

    # The hold lapses unused: the next sweep after it releases the slot to the next patient.
    later = datetime.now(timezone.utc) + timedelta(minutes=31)
    assert scheduler_once(env, at=later).returncode == 0
    [offer2] = fake.wait_for(second["email"], 1, timeout=20)
    assert offer2["subject"].startswith("Hay un hueco libre")
    assert len(fake.to(first["email"])) == 1 and fake.to(third["email"]) == []

    # The second patient turns it down and stays on the list: the slot goes straight on to the third.
    entry = world.scalar("SELECT id FROM waitlist_entries WHERE patient_id = :p", p=second["id"])
    with make_session_factory(engine)() as session:
        waitlist.decline(session, actor=Actor(second["id"], "patient"), entry_id=entry)
        session.commit()
    [offer3] = fake.wait_for(third["email"], 1, timeout=20)
    assert offer3["subject"].startswith("Hay un hueco libre")
    holds = world.sql("SELECT patient_id, status FROM slot_holds WHERE doctor_id = :d ORDER BY id", d=doctor["id"])
    assert [tuple(r) for r in holds] == [(first["id"], "expired"), (second["id"], "expired"), (third["id"], "active")]
    assert world.scalar("SELECT status FROM waitlist_entries WHERE id = :e", e=entry) == "waiting"
