"""The demo seed: two clinics in two zones, doctors with hours, past and future appointments; idempotent.
It looks like a clinic: a demo patient with a handful of visits, records with content, past appointments
left for the doctor to mark, and a first scheduler sweep that sends nothing (no burst of emails at start)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from clinic import demo
from clinic.appointments.models import Appointment
from clinic.identity import service as accounts
from clinic.notifications import reminders
from clinic.notifications.models import Delivery
from clinic.records.models import RecordEntry, RecordVersion
from clinic.scheduling.models import Clinic, Doctor, Service, WorkingHours
from scheduler.jobs import SWEEPS
from tests.conftest import make_settings


def test_seed_demo_builds_a_realistic_clinic_once(db):
    now = datetime.now(timezone.utc)
    logins = demo.seed(db, now=now, settings=make_settings())
    assert any("admin@demo.clinic" in line for line in logins)
    assert any("carmen.ruiz@demo.clinic" in line for line in logins)
    clinics = {c.name: c for c in db.scalars(select(Clinic))}
    assert clinics["Clínica Central Madrid"].timezone == "Europe/Madrid" and clinics["Clínica Central Madrid"].address
    assert clinics["Clínica Roma Norte"].timezone == "America/Mexico_City" and clinics["Clínica Roma Norte"].address
    assert db.scalar(select(func.count()).select_from(Doctor)) >= 6
    assert len({d.specialty for d in db.scalars(select(Doctor))}) >= 4
    assert {s.duration_minutes for s in db.scalars(select(Service))} <= set(range(20, 61))
    assert db.scalar(select(func.count()).select_from(WorkingHours)) > 20
    past = db.scalars(select(Appointment.status).where(Appointment.ends_at < now)).all()
    future = db.scalars(select(Appointment.status).where(Appointment.starts_at > now)).all()
    assert len(past) > 100 and set(past) == {"completed", "no_show", "booked"}
    assert len(future) > 100 and set(future) == {"booked"}
    spread = db.scalar(select(func.max(Appointment.starts_at) - func.min(Appointment.starts_at)))
    assert spread.days >= 42
    count = db.scalar(select(func.count()).select_from(Appointment))
    demo.seed(db, now=now)  # a second run skips the existing demo
    assert db.scalar(select(func.count()).select_from(Appointment)) == count
    assert db.scalar(select(func.count()).select_from(Clinic)) == len(clinics)


def test_the_demo_patient_has_a_handful_of_visits_and_records_have_content(db):
    now = datetime.now(timezone.utc)
    demo.seed(db, now=now, settings=make_settings())
    patient = accounts.find_by_email(db, demo.DEMO_PATIENT)
    visits = db.scalars(select(Appointment).where(Appointment.patient_id == patient.id)).all()
    upcoming = [a for a in visits if a.starts_at > now]
    earlier = [a for a in visits if a.ends_at < now]
    assert 5 <= len(visits) <= 10 and len(upcoming) >= 2 and len(earlier) >= 3, [
        (a.starts_at, a.status) for a in visits
    ]
    assert {a.status for a in upcoming} == {"booked"} and "completed" in {a.status for a in earlier}
    assert len({a.doctor_id for a in visits}) >= 2

    versions = db.scalars(select(RecordVersion)).all()
    assert len(versions) >= 5
    assert all(v.conditions and v.medications for v in versions)
    mine = next(v for v in versions if v.patient_id == patient.id)
    assert mine.allergies and mine.conditions and mine.medications
    notes = db.scalars(select(RecordEntry).where(RecordEntry.patient_id == patient.id)).all()
    attended = [a for a in earlier if a.status == "completed"]
    assert len(notes) == len(attended) >= 2 and all(len(n.text) > 30 for n in notes)
    assert {n.appointment_id for n in notes} == {a.id for a in attended}


def test_past_appointments_wait_for_madrid_doctors_to_mark_them(db):
    now = datetime.now(timezone.utc)
    demo.seed(db, now=now, settings=make_settings())
    madrid = db.scalar(select(Clinic).where(Clinic.name == "Clínica Central Madrid"))
    mexico = db.scalar(select(Clinic).where(Clinic.name == "Clínica Roma Norte"))
    assert madrid.noshow_processing is False and mexico.noshow_processing is True
    waiting = db.scalars(select(Appointment).where(Appointment.status == "booked", Appointment.ends_at < now)).all()
    assert waiting and {a.clinic_id for a in waiting} == {madrid.id}
    assert all(a.ends_at > now - timedelta(days=3) for a in waiting)
    assert len({a.doctor_id for a in waiting}) >= 2


def test_a_fresh_demo_sends_no_burst_of_emails_but_later_reminders_still_go(db):
    now = datetime.now(timezone.utc)
    settings = make_settings()
    demo.seed(db, now=now, settings=settings)
    soon = db.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.status == "booked",
            Appointment.starts_at > now,
            Appointment.starts_at <= now + timedelta(minutes=max(settings.reminder_offsets_minutes)),
        )
    )
    assert soon > 0  # the demo does have appointments inside the reminder windows
    # Nothing is due for anyone (slot_changes only folds the slots cache's version rows: no message).
    found = {name: sweep(db, now=now, settings=settings) for name, sweep in SWEEPS.items() if name != "slot_changes"}
    assert found == {"reminders": 0, "sms_reminders": 0, "agendas": 0, "no_shows": 0, "expired_holds": 0}
    assert db.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "pending")) == 0
    # Reminders are marked, not switched off: a few hours on, the next ones are due.
    later = reminders.reminders(db, now=now + timedelta(hours=3), settings=settings)
    assert later > 0
