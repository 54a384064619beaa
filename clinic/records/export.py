"""Patient data export: everything the system holds about a patient, as one JSON document.

The request only writes a pending row and an outbox message; a worker builds the document
(`build_export`), which is idempotent: a retried or duplicated message finds the export ready and stops.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinic.errors import Forbidden, NotFound
from clinic.identity.actor import Actor
from clinic.identity.models import User
from clinic.outbox.service import emit
from clinic.records import audit, store
from clinic.records.access import authorize
from clinic.records.audit import Attempt
from clinic.records.models import DataExport
from clinic.topics import Topic

TOPIC = Topic.EXPORT_REQUESTED
FORMAT_VERSION = 1


def request_export(session: Session, *, actor: Actor, now: datetime) -> DataExport:
    """Queue an export of the actor's own data; a pending one is reused rather than duplicated."""
    if not actor.is_patient:
        raise Forbidden("Data exports are for patients.")
    pending = store.pending_export(session, user_id=actor.user_id)
    if pending is not None:
        return pending
    export = DataExport(id=uuid.uuid4(), user_id=actor.user_id, status="pending", requested_at=now)
    session.add(export)
    session.flush()
    emit(session, TOPIC, export_id=str(export.id))
    return export


def get_export(session: Session, *, actor: Actor, export_id: uuid.UUID, ip: str | None, now: datetime) -> DataExport:
    """One of the actor's own exports; anyone else's is not found. Handing out a ready document is a
    read of the record, so it is audited (polling a pending export is not)."""
    export = session.get(DataExport, export_id)
    if export is None or export.user_id != actor.user_id:
        raise NotFound("No such export.")
    if export.status == "ready":
        audit.write(
            session,
            Attempt(actor=actor, patient_id=actor.user_id, action=audit.EXPORT_DOWNLOAD, ip=ip, at=now),
            outcome="granted",
        )
    return export


def build_export(session: Session, *, export_id: uuid.UUID | str, now: datetime) -> DataExport | None:
    """Produce the document of a pending export (the worker's job). Safe to run twice."""
    export = store.lock_export(session, export_id=uuid.UUID(str(export_id)))
    if export is None or export.status != "pending":
        return export
    user = session.get(User, export.user_id)
    # The export reads the record on the patient's behalf: audited like any other read (no IP: a worker).
    attempt = Attempt(
        actor=Actor(user_id=user.id, role=user.role), patient_id=user.id, action=audit.EXPORT, ip=None, at=now
    )
    authorize(session, attempt)
    audit.write(session, attempt, outcome="granted", object_id=None)
    session.flush()
    export.document = _document(session, user, export, now)
    export.status = "ready"
    export.completed_at = now
    session.flush()
    return export


def mark_failed(session: Session, *, export_id: uuid.UUID | str, now: datetime) -> None:
    """Give up on an export whose job kept failing; the patient may ask again."""
    export = session.get(DataExport, uuid.UUID(str(export_id)), with_for_update=True)
    if export is not None and export.status == "pending":
        export.status = "failed"
        export.completed_at = now
        session.flush()


def _iso(value: datetime | None, zone: ZoneInfo | None = None) -> str | None:
    if value is None:
        return None
    return value.astimezone(zone).isoformat() if zone else value.isoformat()


def _document(session: Session, user: User, export: DataExport, now: datetime) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "export_id": str(export.id),
        "generated_at": _iso(now),
        "profile": {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "role": user.role,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
        },
        "appointments": _appointments(session, user.id),
        "record": _record(session, user.id),
        "audit": [
            {
                "id": row.id,
                "at": _iso(row.at),
                "actor_id": row.actor_id,
                "actor_name": row.actor_name,
                "actor_role": row.actor_role,
                "action": row.action,
                "outcome": row.outcome,
                "break_glass": row.break_glass,
                "reason": row.reason,
            }
            for row in audit.rows_for(session, patient_id=user.id, for_admin=False)
        ],
    }


def _appointments(session: Session, patient_id: int) -> list[dict]:
    rows = store.appointments_of(session, patient_id=patient_id)
    history: dict[int, list[dict]] = {}
    ids = [row.id for row in rows]
    if ids:
        for h in store.history_of(session, appointment_ids=ids):
            history.setdefault(h.appointment_id, []).append(
                {
                    "action": h.action,
                    "actor_id": h.actor_id,
                    "at": _iso(h.at),
                    "old_starts_at": _iso(h.old_starts_at),
                    "new_starts_at": _iso(h.new_starts_at),
                }
            )
    out = []
    for appt in rows:
        zone = ZoneInfo(appt.timezone)
        out.append(
            {
                "id": appt.id,
                "doctor_id": appt.doctor_id,
                "doctor_name": appt.doctor_name,
                "service_id": appt.service_id,
                "service_name": appt.service_name,
                "clinic_id": appt.clinic_id,
                "clinic_name": appt.clinic_name,
                "starts_at": _iso(appt.starts_at, zone),
                "ends_at": _iso(appt.ends_at, zone),
                "status": appt.status,
                "reason": appt.reason,
                "created_at": _iso(appt.created_at, zone),
                "cancelled_at": _iso(appt.cancelled_at, zone),
                "cancellation_reason": appt.cancellation_reason,
                "history": history.get(appt.id, []),
            }
        )
    return out


def _record(session: Session, patient_id: int) -> dict:
    versions = [
        {
            "version": v.version,
            "allergies": list(v.allergies),
            "conditions": list(v.conditions),
            "medications": list(v.medications),
            "author_id": v.author_id,
            "author_name": name,
            "break_glass": v.break_glass,
            "created_at": _iso(v.created_at),
        }
        for v, name in store.versions_with_authors(session, patient_id=patient_id)
    ]
    entries = [
        {
            "id": e.id,
            "appointment_id": e.appointment_id,
            "author_id": e.author_id,
            "text": e.text,
            "corrects_id": e.corrects_id,
            "break_glass": e.break_glass,
            "created_at": _iso(e.created_at),
        }
        for e in store.entries(session, patient_id=patient_id)
    ]
    current = versions[-1] if versions else {"allergies": [], "conditions": [], "medications": []}
    return {
        "allergies": current["allergies"],
        "conditions": current["conditions"],
        "medications": current["medications"],
        "versions": versions,
        "entries": entries,
    }
