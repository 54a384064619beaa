"""Who may do what to a medical record. Every decision leaves an audit row.

The rules (`decide`):
- A patient reads their own record, its versions and its audit trail; they cannot write it.
- Only a *practising* doctor has any access: an active account with the doctor role and an active doctor
  profile. A doctor whose profile was deactivated (they no longer see patients at the clinic) or whose
  account was, loses every care relationship and cannot break the glass (404, as for any other doctor).
- A practising doctor with a care relationship reads and writes the record. A care relationship is an
  appointment between that doctor and the patient that is not cancelled (booked, completed or no-show;
  past or future). An appointment that was only ever cancelled does not count.
- A practising doctor without one may "break the glass" with a reason: a grant valid for BREAK_GLASS_MINUTES
  that lets them read and write; every access under it is flagged in the audit trail with the reason.
- Admins read the audit trail (not the clinical content). Receptionists read nothing of a record.

Denials: 404 when the actor may not read the clinical content (they must not learn whether the record
exists: other patients, doctors without a relationship, receptionists, admins, ids that are not patients);
403 when they may read it but not do this (a patient writing their own record, a treating doctor reading the
audit trail). Both errors keep the request's audit row (clinic.unit_of_work.keep).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import partial

from sqlalchemy.orm import Session

from clinic.errors import Conflict, Forbidden, NotFound
from clinic.records import audit, store
from clinic.records.audit import Attempt
from clinic.unit_of_work import keep

MAX_ID = 2**63 - 1  # BIGINT
CONTENT_READS = frozenset({audit.READ, audit.VERSIONS})
WRITES = frozenset({audit.UPDATE, audit.ADD_ENTRY})


class Outcome(enum.Enum):
    ALLOW = "allow"
    ALLOW_BREAK_GLASS = "allow_break_glass"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    NOT_NEEDED = "not_needed"


@dataclass(frozen=True)
class Relation:
    """What links the actor to the patient, as far as the rules care."""

    is_patient: bool = False
    care: bool = False
    break_glass_reason: str | None = None
    practising: bool = False  # the actor is an active doctor account with an active doctor profile


@dataclass(frozen=True)
class Grant:
    attempt: Attempt
    break_glass: bool = False
    reason: str | None = None


class RecordNotFound(NotFound):
    message = "No such record."


class RecordForbidden(Forbidden):
    message = "You may not do this with this record."


class BreakGlassNotNeeded(Conflict):
    code = "care_relationship_exists"
    message = "You already have access to this record; break-glass is not needed."


def decide(*, role: str, is_self: bool, relation: Relation, action: str) -> Outcome:
    """The access rules as a pure function of the facts."""
    if role == "patient":
        if not is_self:
            return Outcome.NOT_FOUND
        return Outcome.ALLOW if action in CONTENT_READS | {audit.AUDIT, audit.EXPORT} else Outcome.FORBIDDEN
    if role == "doctor" and relation.is_patient and relation.practising:
        if relation.care or relation.break_glass_reason is not None:
            if action in CONTENT_READS | WRITES:
                return Outcome.ALLOW if relation.care else Outcome.ALLOW_BREAK_GLASS
            if action == audit.BREAK_GLASS:
                return Outcome.NOT_NEEDED if relation.care else Outcome.ALLOW
            return Outcome.FORBIDDEN
        return Outcome.ALLOW if action == audit.BREAK_GLASS else Outcome.NOT_FOUND
    if role == "admin" and relation.is_patient and action == audit.AUDIT:
        return Outcome.ALLOW
    return Outcome.NOT_FOUND


def relation_of(session: Session, attempt: Attempt) -> Relation:
    """One round trip, and none at all when the role alone decides."""
    role = attempt.actor.role
    if role == "patient":
        return Relation(is_patient=attempt.actor.user_id == attempt.patient_id)
    if role == "receptionist" or (role == "admin" and attempt.action != audit.AUDIT):
        return Relation()
    row = store.relation(session, patient_id=attempt.patient_id, user_id=attempt.actor.user_id, now=attempt.at)
    if row is None or not row.is_patient:
        return Relation()
    if role != "doctor":
        return Relation(is_patient=True)
    return Relation(
        is_patient=True, care=row.care, break_glass_reason=row.break_glass_reason, practising=row.practising
    )


def authorize(session: Session, attempt: Attempt) -> Grant:
    """Allow the attempt or audit the denial and raise. Allowed attempts are audited by the caller,
    once it knows what the action touched."""
    if not 0 < attempt.patient_id <= MAX_ID:
        raise NotFound("No such record.")  # not an id any row can have: nothing to audit against
    relation = relation_of(session, attempt)
    outcome = decide(
        role=attempt.actor.role,
        is_self=attempt.actor.user_id == attempt.patient_id,
        relation=relation,
        action=attempt.action,
    )
    if outcome is Outcome.ALLOW:
        return Grant(attempt=attempt)
    if outcome is Outcome.ALLOW_BREAK_GLASS:
        return Grant(attempt=attempt, break_glass=True, reason=relation.break_glass_reason)
    keep(session, partial(audit.write, attempt=attempt, outcome="denied"))  # the denial's row survives the error
    if outcome is Outcome.FORBIDDEN:
        raise RecordForbidden()
    if outcome is Outcome.NOT_NEEDED:
        raise BreakGlassNotNeeded()
    raise RecordNotFound()
