"""The records domain's SQL: what links an actor to a patient, record versions and entries, the audit trail,
data exports. Raw SQL in psycopg's `%(name)s` style through the platform helpers (clinic/db.py); ORM queries
where the callers want mapped objects."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from clinic.db import Row, fetch_all, fetch_one, fetch_value
from clinic.identity.models import User
from clinic.records.models import DataExport, MedicalRecord, RecordAudit, RecordEntry, RecordVersion

# --- access ---------------------------------------------------------------------------------------------------

_RELATION = """
    SELECT u.role = 'patient' AS is_patient,
           EXISTS (SELECT 1 FROM users du JOIN doctors d ON d.user_id = du.id
                   WHERE du.id = %(uid)s AND du.is_active AND du.role = 'doctor' AND d.active) AS practising,
           EXISTS (SELECT 1 FROM appointments a JOIN doctors d ON d.id = a.doctor_id
                   WHERE a.patient_id = %(pid)s AND d.user_id = %(uid)s AND a.status <> 'cancelled') AS care,
           (SELECT g.reason FROM break_glass_grants g
             WHERE g.doctor_user_id = %(uid)s AND g.patient_id = %(pid)s AND g.granted_at <= %(now)s
               AND g.expires_at > %(now)s
             ORDER BY g.expires_at DESC LIMIT 1) AS break_glass_reason
    FROM users u WHERE u.id = %(pid)s
"""


def relation(session: Session, *, patient_id: int, user_id: int, now: datetime) -> Row | None:
    """In one round trip: whether `patient_id` is a patient (`is_patient`), whether `user_id` is a practising
    doctor (`practising`) with a care relationship to them (`care`), and the reason of a break-glass grant
    of theirs live at `now` (`break_glass_reason`). None when `patient_id` is no user."""
    return fetch_one(session, _RELATION, {"pid": patient_id, "uid": user_id, "now": now})


# --- the audit trail ----------------------------------------------------------------------------------------------


def audit_rows(session: Session, *, patient_id: int) -> list[tuple[RecordAudit, str | None]]:
    """Every audit row of one patient's record, oldest first, with the actor's name."""
    return list(
        session.execute(
            select(RecordAudit, User.full_name)
            .outerjoin(User, User.id == RecordAudit.actor_id)
            .where(RecordAudit.patient_id == patient_id)
            .order_by(RecordAudit.id)
        ).tuples()
    )


# --- versions and entries ------------------------------------------------------------------------------------------


def latest_version(session: Session, *, patient_id: int) -> RecordVersion | None:
    return session.scalars(
        select(RecordVersion)
        .where(RecordVersion.patient_id == patient_id)
        .order_by(RecordVersion.version.desc())
        .limit(1)
    ).first()


def versions_with_authors(session: Session, *, patient_id: int) -> list[tuple[RecordVersion, str]]:
    """Every version of the record, oldest first, with its author's name."""
    return list(
        session.execute(
            select(RecordVersion, User.full_name)
            .join(User, User.id == RecordVersion.author_id)
            .where(RecordVersion.patient_id == patient_id)
            .order_by(RecordVersion.version)
        ).tuples()
    )


def entries(session: Session, *, patient_id: int) -> list[RecordEntry]:
    """Every clinical entry of the record, oldest first."""
    return list(
        session.scalars(select(RecordEntry).where(RecordEntry.patient_id == patient_id).order_by(RecordEntry.id))
    )


def next_version(session: Session, *, patient_id: int) -> int:
    """Bump the record's version counter (creating the record at 1) and return the new number. The bump locks
    the record's row until commit, so concurrent updates queue up behind it."""
    return session.execute(
        insert(MedicalRecord)
        .values(patient_id=patient_id, current_version=1)
        .on_conflict_do_update(
            index_elements=[MedicalRecord.patient_id], set_={"current_version": MedicalRecord.current_version + 1}
        )
        .returning(MedicalRecord.current_version)
    ).scalar_one()


def ensure_record(session: Session, *, patient_id: int) -> None:
    """The patient's record row, created if missing."""
    session.execute(insert(MedicalRecord).values(patient_id=patient_id).on_conflict_do_nothing())


_APPOINTMENT_PATIENT = "SELECT patient_id FROM appointments WHERE id = %(id)s"
_ENTRY_PATIENT = "SELECT patient_id FROM record_entries WHERE id = %(id)s"


def appointment_patient(session: Session, *, appointment_id: int) -> int | None:
    return fetch_value(session, _APPOINTMENT_PATIENT, {"id": appointment_id})


def entry_patient(session: Session, *, entry_id: int) -> int | None:
    return fetch_value(session, _ENTRY_PATIENT, {"id": entry_id})


# --- data exports --------------------------------------------------------------------------------------------------


def pending_export(session: Session, *, user_id: int) -> DataExport | None:
    """The user's latest pending export."""
    return session.scalars(
        select(DataExport)
        .where(DataExport.user_id == user_id, DataExport.status == "pending")
        .order_by(DataExport.requested_at.desc())
        .limit(1)
    ).first()


def lock_export(session: Session, *, export_id: uuid.UUID) -> DataExport | None:
    """The export, its row locked until commit."""
    return session.scalars(select(DataExport).where(DataExport.id == export_id).with_for_update()).first()


_APPOINTMENTS = """
    SELECT a.id, a.doctor_id, du.full_name AS doctor_name, a.service_id, s.name AS service_name, a.clinic_id,
           c.name AS clinic_name, c.timezone, a.starts_at, a.ends_at, a.status, a.reason, a.created_at,
           a.cancelled_at, a.cancellation_reason
    FROM appointments a
    JOIN services s ON s.id = a.service_id
    JOIN clinics c ON c.id = a.clinic_id
    JOIN doctors d ON d.id = a.doctor_id JOIN users du ON du.id = d.user_id
    WHERE a.patient_id = %(patient_id)s
    ORDER BY a.starts_at"""
_HISTORY = """
    SELECT appointment_id, action, actor_id, at, old_starts_at, new_starts_at FROM appointment_history
    WHERE appointment_id = ANY(CAST(%(ids)s AS bigint[])) ORDER BY id"""


def appointments_of(session: Session, *, patient_id: int) -> list[Row]:
    """Every appointment of the patient in start order, with its doctor's, service's and clinic's names and the
    clinic's `timezone`."""
    return fetch_all(session, _APPOINTMENTS, {"patient_id": patient_id})


def history_of(session: Session, *, appointment_ids: list[int]) -> list[Row]:
    """`(appointment_id, action, actor_id, at, old_starts_at, new_starts_at)` of these appointments' history,
    oldest first."""
    return fetch_all(session, _HISTORY, {"ids": appointment_ids})
