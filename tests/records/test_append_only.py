"""The audit trail (and the clinical history) cannot be changed or removed, even by the table's owner."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from clinic.identity.actor import Actor
from clinic.records import service
from clinic.records.models import RecordAudit

NOW = datetime(2027, 3, 1, 12, tzinfo=timezone.utc)


@pytest.fixture()
def written(db, cast):
    doctor = Actor(user_id=cast.doctor.id, role="doctor")
    service.update_record(db, actor=doctor, patient_id=cast.patient.id, ip="10.0.0.1", now=NOW, allergies=["x"])
    service.add_entry(db, actor=doctor, patient_id=cast.patient.id, ip="10.0.0.1", now=NOW, text="nota")
    service.break_glass(
        db,
        actor=Actor(user_id=cast.stranger_doctor.id, role="doctor"),
        patient_id=cast.patient.id,
        ip="10.0.0.2",
        now=NOW,
        reason="urgencia vital",
        minutes=60,
    )
    db.flush()
    return cast


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE record_audit SET outcome = 'granted', actor_id = NULL",
        "DELETE FROM record_audit",
        "TRUNCATE record_audit",
        "UPDATE record_versions SET allergies = '{}'",
        "DELETE FROM record_versions",
        "UPDATE record_entries SET text = 'borrado'",
        "DELETE FROM record_entries",
        "UPDATE break_glass_grants SET reason = 'nada'",
        "DELETE FROM break_glass_grants",
    ],
)
def test_changing_history_fails(db, written, statement):
    before = db.scalar(select(func.count()).select_from(RecordAudit))
    assert before >= 3
    with pytest.raises(DBAPIError) as caught:
        with db.begin_nested():  # a SAVEPOINT: the failed statement must not abort the test's transaction
            db.execute(text(statement))
    assert "append-only" in str(caught.value.orig)
    assert db.scalar(select(func.count()).select_from(RecordAudit)) == before
    assert db.scalar(select(func.count()).select_from(RecordAudit).where(RecordAudit.actor_id.is_(None))) == 0


def test_inserting_still_works(db, written):
    count = db.scalar(select(func.count()).select_from(RecordAudit).where(RecordAudit.patient_id == written.patient.id))
    assert count == 3
