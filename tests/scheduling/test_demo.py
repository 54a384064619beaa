"""The demo seed: two clinics in two zones, doctors with hours, past and future appointments; idempotent."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from clinic import demo
from clinic.appointments.models import Appointment
from clinic.scheduling.models import Clinic, Doctor, Service, WorkingHours


def test_seed_demo_builds_a_realistic_clinic_once(db):
    now = datetime.now(timezone.utc)
    logins = demo.seed(db, now=now)
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
    assert len(past) > 100 and set(past) == {"completed", "no_show"}
    assert len(future) > 100 and set(future) == {"booked"}
    spread = db.scalar(select(func.max(Appointment.starts_at) - func.min(Appointment.starts_at)))
    assert spread.days >= 42
    count = db.scalar(select(func.count()).select_from(Appointment))
    demo.seed(db, now=now)  # a second run skips the existing demo
    assert db.scalar(select(func.count()).select_from(Appointment)) == count
    assert db.scalar(select(func.count()).select_from(Clinic)) == len(clinics)
