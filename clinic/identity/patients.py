"""Patient ids named by callers (in a body, a path or a filter): an id that is not a patient's answers 404
everywhere, the same for an unknown id as for an admin's, a doctor's or a receptionist's."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.errors import NotFound
from clinic.identity import store
from clinic.identity.actor import Actor

MAX_ID = 2**63 - 1  # BIGINT


def not_a_patient() -> NotFound:
    return NotFound("No such patient.", fields={"patient_id": "not a patient"})


def require_patient(session: Session, patient_id: int) -> None:
    """Raise 404 unless `patient_id` is a patient's account."""
    if not (0 < patient_id <= MAX_ID and store.is_patient(session, patient_id)):
        raise not_a_patient()


def check_named_patient(session: Session, actor: Actor, patient_id: int) -> None:
    """A patient may name only themself (no probing who else is one); anyone else, only a patient's id."""
    if actor.is_anonymous:
        raise not_a_patient()  # nobody to name without an account
    if actor.is_patient:
        if patient_id != actor.user_id:
            raise not_a_patient()
    else:
        require_patient(session, patient_id)
