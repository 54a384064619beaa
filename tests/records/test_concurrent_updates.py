"""Two doctors updating one record at once: both versions are kept and neither change is lost.

Needs real commits from two connections, so it uses its own engine and removes its rows at the end
(with triggers skipped through `session_replication_role`, which only a superuser may set).
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import pool, select, text

from clinic.appointments.models import Appointment
from clinic.db import make_engine, make_session_factory
from clinic.identity import service as accounts
from clinic.identity.actor import Actor
from clinic.records import service
from clinic.records.models import RecordVersion
from clinic.scheduling.models import Clinic, Doctor, Service
from tests.conftest import PASSWORD, TEST_DATABASE_URL


def test_concurrent_updates_queue_up_and_merge(engine):
    own = make_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    sessions = make_session_factory(own)
    tag = uuid.uuid4().hex[:8]
    with sessions() as s, s.begin():
        clinic, svc = Clinic(name=f"c{tag}", timezone="UTC"), Service(name=f"s{tag}", duration_minutes=30)
        patient = accounts.create_user(s, email=f"p{tag}@example.com", password=PASSWORD, full_name="P", role="patient")
        docs = [
            accounts.create_user(s, email=f"d{i}{tag}@example.com", password=PASSWORD, full_name=f"D{i}", role="doctor")
            for i in range(2)
        ]
        s.add_all([clinic, svc])
        s.flush()
        profiles = [Doctor(user_id=d.id, clinic_id=clinic.id, specialty="g") for d in docs]
        s.add_all(profiles)
        s.flush()
        start = datetime(2027, 5, 3, 9, tzinfo=timezone.utc)
        for i, profile in enumerate(profiles):
            at = start + timedelta(hours=i)
            s.add(
                Appointment(
                    doctor_id=profile.id,
                    patient_id=patient.id,
                    service_id=svc.id,
                    clinic_id=clinic.id,
                    starts_at=at,
                    ends_at=at + timedelta(minutes=30),
                    blocked_until=at + timedelta(minutes=30),
                )
            )
        ids = {"patient": patient.id, "doctors": [d.id for d in docs], "clinic": clinic.id, "service": svc.id}
    now = datetime.now(timezone.utc)
    first, second = (Actor(user_id=d, role="doctor") for d in ids["doctors"])
    try:
        a = sessions()
        service.update_record(a, actor=first, patient_id=ids["patient"], ip=None, now=now, allergies=["polen"])
        done = threading.Event()

        def other_doctor():
            with sessions() as b, b.begin():
                service.update_record(
                    b, actor=second, patient_id=ids["patient"], ip=None, now=now, medications=["ibuprofeno"]
                )
            done.set()

        thread = threading.Thread(target=other_doctor)
        thread.start()
        time.sleep(0.5)
        assert not done.is_set()  # waits for the first update's transaction
        a.commit()
        a.close()
        thread.join(10)
        assert done.is_set()
        with sessions() as s:
            rows = s.scalars(
                select(RecordVersion).where(RecordVersion.patient_id == ids["patient"]).order_by(RecordVersion.version)
            ).all()
            assert [(v.version, v.author_id, v.allergies, v.medications) for v in rows] == [
                (1, first.user_id, ["polen"], []),
                (2, second.user_id, ["polen"], ["ibuprofeno"]),
            ]
    finally:
        with own.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            params = {"p": ids["patient"]}
            for table in ("record_audit", "record_versions", "medical_records", "appointments"):
                conn.execute(text(f"DELETE FROM {table} WHERE patient_id = :p"), params)
            conn.execute(text("DELETE FROM doctors WHERE clinic_id = :c"), {"c": ids["clinic"]})
            conn.execute(text("DELETE FROM users WHERE id = ANY(:u)"), {"u": [ids["patient"], *ids["doctors"]]})
            conn.execute(text("DELETE FROM services WHERE id = :s"), {"s": ids["service"]})
            conn.execute(text("DELETE FROM clinics WHERE id = :c"), {"c": ids["clinic"]})
        own.dispose()
