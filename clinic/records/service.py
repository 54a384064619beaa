"""Reading and writing medical records. Every function authorizes first and audits exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from clinic.errors import Invalid
from clinic.identity.actor import Actor
from clinic.identity.models import User
from clinic.records import audit, store
from clinic.records.access import Grant, authorize
from clinic.records.audit import Attempt, AuditView
from clinic.records.models import BreakGlassGrant, RecordEntry, RecordVersion
from clinic.unit_of_work import keep


class RecordInvalid(Invalid):
    """Raised before any write: only the attempt's audit row is kept (clinic.unit_of_work.keep)."""


@dataclass(frozen=True)
class PatientCard:
    """Who the record is about, for the page's header: read under the record's own access rule and audit row."""

    id: int
    full_name: str
    birth_date: date | None
    age: int | None


def age_on(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class RecordView:
    patient_id: int
    version: int
    allergies: list[str]
    conditions: list[str]
    medications: list[str]
    updated_at: datetime | None
    updated_by: int | None
    entries: list[RecordEntry] = field(default_factory=list)
    patient: PatientCard | None = None


@dataclass(frozen=True)
class VersionView:
    version: int
    allergies: list[str]
    conditions: list[str]
    medications: list[str]
    author_id: int
    author_name: str
    break_glass: bool
    created_at: datetime


def _attempt(actor: Actor, patient_id: int, action: str, ip: str | None, now: datetime) -> Attempt:
    return Attempt(actor=actor, patient_id=patient_id, action=action, ip=ip, at=now)


def _granted(session: Session, grant: Grant, *, object_id: int | None = None) -> None:
    audit.write(
        session,
        grant.attempt,
        outcome="granted",
        break_glass=grant.break_glass,
        reason=grant.reason,
        object_id=object_id,
    )


def _latest(session: Session, patient_id: int) -> RecordVersion | None:
    return store.latest_version(session, patient_id=patient_id)


def _view(session: Session, patient_id: int) -> RecordView:
    latest = _latest(session, patient_id)
    entries = store.entries(session, patient_id=patient_id)
    if latest is None:
        return RecordView(
            patient_id=patient_id,
            version=0,
            allergies=[],
            conditions=[],
            medications=[],
            updated_at=None,
            updated_by=None,
            entries=entries,
        )
    return RecordView(
        patient_id=patient_id,
        version=latest.version,
        allergies=list(latest.allergies),
        conditions=list(latest.conditions),
        medications=list(latest.medications),
        updated_at=latest.created_at,
        updated_by=latest.author_id,
        entries=entries,
    )


def get_record(session: Session, *, actor: Actor, patient_id: int, ip: str | None, now: datetime) -> RecordView:
    """The current version of the record with every clinical entry, oldest first."""
    grant = authorize(session, _attempt(actor, patient_id, audit.READ, ip, now))
    view = _view(session, patient_id)
    _granted(session, grant, object_id=view.version or None)
    person = session.get(User, patient_id)
    return replace(
        view,
        patient=PatientCard(
            id=person.id,
            full_name=person.full_name,
            birth_date=person.birth_date,
            age=age_on(person.birth_date, now.date()),
        ),
    )


def update_record(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    ip: str | None,
    now: datetime,
    allergies: list[str] | None = None,
    conditions: list[str] | None = None,
    medications: list[str] | None = None,
) -> RecordView:
    """Store a new version: the given lists replace the current ones, omitted lists carry over."""
    attempt = _attempt(actor, patient_id, audit.UPDATE, ip, now)
    grant = authorize(session, attempt)
    if allergies is None and conditions is None and medications is None:
        keep(
            session,
            partial(
                audit.write, attempt=attempt, outcome="invalid", break_glass=grant.break_glass, reason=grant.reason
            ),
        )
        raise RecordInvalid(
            "Give at least one of allergies, conditions, medications.",
            fields={"body": "needs allergies, conditions or medications"},
        )
    # Bumping the counter locks the record's row until commit, so concurrent updates queue up and each
    # merges onto the version committed before it (no lost update).
    number = store.next_version(session, patient_id=patient_id)
    previous = _latest(session, patient_id)
    session.add(
        RecordVersion(
            patient_id=patient_id,
            version=number,
            author_id=actor.user_id,
            break_glass=grant.break_glass,
            created_at=now,
            allergies=allergies if allergies is not None else (previous.allergies if previous else []),
            conditions=conditions if conditions is not None else (previous.conditions if previous else []),
            medications=medications if medications is not None else (previous.medications if previous else []),
        )
    )
    _granted(session, grant, object_id=number)
    session.flush()
    return _view(session, patient_id)


def add_entry(
    session: Session,
    *,
    actor: Actor,
    patient_id: int,
    ip: str | None,
    now: datetime,
    text: str,
    appointment_id: int | None = None,
    corrects_id: int | None = None,
) -> RecordEntry:
    """Append a clinical entry; a correction names the entry it corrects, which stays as it was."""
    attempt = _attempt(actor, patient_id, audit.ADD_ENTRY, ip, now)
    grant = authorize(session, attempt)
    problems = _entry_problems(
        session, patient_id=patient_id, text=text, appointment_id=appointment_id, corrects_id=corrects_id
    )
    if problems:
        keep(
            session,
            partial(
                audit.write, attempt=attempt, outcome="invalid", break_glass=grant.break_glass, reason=grant.reason
            ),
        )
        raise RecordInvalid(fields=problems)
    store.ensure_record(session, patient_id=patient_id)
    entry = RecordEntry(
        patient_id=patient_id,
        appointment_id=appointment_id,
        author_id=actor.user_id,
        text=text,
        corrects_id=corrects_id,
        break_glass=grant.break_glass,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    _granted(session, grant, object_id=entry.id)
    session.flush()
    return entry


def _entry_problems(
    session: Session, *, patient_id: int, text: str, appointment_id: int | None, corrects_id: int | None
) -> dict[str, str]:
    problems = {}
    if not text.strip():
        problems["text"] = "must not be empty"
    if appointment_id is not None and store.appointment_patient(session, appointment_id=appointment_id) != patient_id:
        problems["appointment_id"] = "is not an appointment of this patient"
    if corrects_id is not None and store.entry_patient(session, entry_id=corrects_id) != patient_id:
        problems["corrects_id"] = "is not an entry of this record"
    return problems


def reject_invalid(
    session: Session, *, actor: Actor, patient_id: int, action: str, ip: str | None, now: datetime
) -> None:
    """Audit an attempt whose body failed validation: denied if the actor has no access (and the denial is
    raised), otherwise recorded as invalid."""
    attempt = _attempt(actor, patient_id, action, ip, now)
    grant = authorize(session, attempt)
    keep(
        session,
        partial(audit.write, attempt=attempt, outcome="invalid", break_glass=grant.break_glass, reason=grant.reason),
    )


def list_versions(
    session: Session, *, actor: Actor, patient_id: int, ip: str | None, now: datetime
) -> list[VersionView]:
    """Every version of the record, oldest first, with its author."""
    grant = authorize(session, _attempt(actor, patient_id, audit.VERSIONS, ip, now))
    rows = store.versions_with_authors(session, patient_id=patient_id)
    versions = [
        VersionView(
            version=v.version,
            allergies=list(v.allergies),
            conditions=list(v.conditions),
            medications=list(v.medications),
            author_id=v.author_id,
            author_name=name,
            break_glass=v.break_glass,
            created_at=v.created_at,
        )
        for v, name in rows
    ]
    _granted(session, grant)
    return versions


def list_audit(session: Session, *, actor: Actor, patient_id: int, ip: str | None, now: datetime) -> list[AuditView]:
    """The record's audit trail, this read included. IP addresses are shown to admins only."""
    grant = authorize(session, _attempt(actor, patient_id, audit.AUDIT, ip, now))
    _granted(session, grant)
    session.flush()
    return audit.rows_for(session, patient_id=patient_id, for_admin=actor.is_admin)


def break_glass(
    session: Session, *, actor: Actor, patient_id: int, ip: str | None, now: datetime, reason: str, minutes: int
) -> BreakGlassGrant:
    """Emergency access for a doctor without a care relationship: granted, time-limited and flagged."""
    attempt = _attempt(actor, patient_id, audit.BREAK_GLASS, ip, now)
    authorize(session, attempt)
    reason = reason.strip()
    if len(reason) < 5:
        audit.write(session, attempt, outcome="invalid", break_glass=True)
        raise RecordInvalid(fields={"reason": "explain the emergency (at least 5 characters)"})
    grant = BreakGlassGrant(
        doctor_user_id=actor.user_id,
        patient_id=patient_id,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(grant)
    session.flush()
    audit.write(session, attempt, outcome="granted", break_glass=True, reason=reason, object_id=grant.id)
    session.flush()
    return grant
