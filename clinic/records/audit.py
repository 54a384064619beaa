"""The append-only audit trail of record access: one row per attempt, allowed or denied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from clinic.identity.actor import Actor
from clinic.records import store
from clinic.records.models import RecordAudit

# Actions, as stored in `record_audit.action`.
READ = "record.read"
VERSIONS = "record.versions"
UPDATE = "record.update"
ADD_ENTRY = "entry.create"
AUDIT = "audit.read"
BREAK_GLASS = "break_glass"
EXPORT = "export"
EXPORT_DOWNLOAD = "export.download"
APPOINTMENT_REASON = "appointment_reason.read"  # staff reading why a patient booked (clinical data)


@dataclass(frozen=True)
class Attempt:
    """Who tries to do what to which patient's record, from where, when."""

    actor: Actor
    patient_id: int
    action: str
    ip: str | None
    at: datetime


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_role: str
    action: str
    outcome: str
    ip: str | None
    break_glass: bool
    reason: str | None
    object_id: int | None


def write(
    session: Session,
    attempt: Attempt,
    *,
    outcome: str,
    break_glass: bool = False,
    reason: str | None = None,
    object_id: int | None = None,
) -> None:
    """Add the attempt's audit row to the current transaction (flushed with it)."""
    session.add(
        RecordAudit(
            at=attempt.at,
            actor_id=attempt.actor.user_id or None,
            actor_role=attempt.actor.role,
            patient_id=attempt.patient_id,
            action=attempt.action,
            outcome=outcome,
            ip=attempt.ip,
            break_glass=break_glass,
            reason=reason,
            object_id=object_id,
        )
    )


def rows_for(session: Session, *, patient_id: int, for_admin: bool) -> list[AuditView]:
    """Every audit row of one patient's record, oldest first, with the actor's name.

    The patient sees who accessed their record and when, but not staff IP addresses, nor who another
    patient probing their record was (that would disclose the other patient)."""
    views = []
    for row, name in store.audit_rows(session, patient_id=patient_id):
        hidden = not for_admin and row.actor_role == "patient" and row.actor_id != patient_id
        views.append(
            AuditView(
                id=row.id,
                at=row.at,
                actor_id=None if hidden else row.actor_id,
                actor_name=None if hidden else name,
                actor_role=row.actor_role,
                action=row.action,
                outcome=row.outcome,
                ip=row.ip if for_admin else None,
                break_glass=row.break_glass,
                reason=row.reason,
                object_id=row.object_id,
            )
        )
    return views
