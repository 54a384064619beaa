"""The live stream's SQL: the current state of changed appointments, and a doctor account's profiles."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.db import Row, fetch_all

_READ = """
    SELECT a.id, a.doctor_id, a.clinic_id, a.patient_id, a.status, a.starts_at, c.timezone
    FROM appointments a JOIN clinics c ON c.id = a.clinic_id
    WHERE a.id = ANY(CAST(%(ids)s AS bigint[])) ORDER BY a.id
"""
_DOCTOR_IDS = "SELECT id FROM doctors WHERE user_id = %(uid)s"


def appointments(session: Session, *, ids: list[int]) -> list[Row]:
    """`(id, doctor_id, clinic_id, patient_id, status, starts_at, timezone)` of these appointments, by id."""
    return fetch_all(session, _READ, {"ids": ids})


def doctor_ids(session: Session, *, user_id: int) -> frozenset[int]:
    """The doctor profiles of an account."""
    return frozenset(row.id for row in fetch_all(session, _DOCTOR_IDS, {"uid": user_id}))
