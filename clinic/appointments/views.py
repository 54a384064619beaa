"""Read models: appointments with their display fields, in one query however many rows (clinic.appointments.store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from clinic.appointments import store
from clinic.availability.service import zone
from clinic.errors import NotFound
from clinic.identity.actor import Actor
from clinic.keyset import Position

MAX_LIMIT = 1000


@dataclass
class AppointmentDetails:
    """An appointment with its display fields (names, the clinic's zone), times in that zone: what the API
    answers about one (not to be confused with the notifications' view of one for an email)."""

    id: int
    doctor_id: int
    patient_id: int
    service_id: int
    clinic_id: int
    timezone: str
    starts_at: datetime
    ends_at: datetime
    status: str
    reason: str | None
    sequence: int
    doctor_name: str
    patient_name: str
    service_name: str
    late_cancellation: bool = False
    cancelled_at: datetime | None = None
    cancellation_reason: str | None = None
    confirmed_at: datetime | None = None
    cancelled_via: str | None = None

    @property
    def confirmation(self) -> str:
        """What the patient answered to the reminders: confirmed, cancelled_by_sms or (no answer) unconfirmed."""
        if self.cancelled_via == "sms":
            return "cancelled_by_sms"
        return "confirmed" if self.confirmed_at is not None else "unconfirmed"

    def __post_init__(self) -> None:
        # Answer in the clinic's offset, whatever offset the client used.
        tz = zone(self.timezone)
        self.starts_at = self.starts_at.astimezone(tz)
        self.ends_at = self.ends_at.astimezone(tz)
        if self.cancelled_at is not None:
            self.cancelled_at = self.cancelled_at.astimezone(tz)
        if self.confirmed_at is not None:
            self.confirmed_at = self.confirmed_at.astimezone(tz)


def _views(rows) -> list[AppointmentDetails]:
    return [AppointmentDetails(*row) for row in rows]


def view_of(session: Session, actor: Actor, appointment_id: int) -> AppointmentDetails:
    """One appointment within the actor's scope, or NotFound."""
    found = _views(store.details_of(session, actor=actor, ids=[appointment_id]))
    if not found:
        raise NotFound("No such appointment.")
    return found[0]


def views_of(session: Session, actor: Actor, ids: list[int]) -> list[AppointmentDetails]:
    """The appointments with these ids within the actor's scope, in start order."""
    if not ids:
        return []
    return _views(store.details_of(session, actor=actor, ids=ids))


@dataclass
class Page:
    """One page of a listing; `after` is where the next page starts (None: this was the last)."""

    items: list[AppointmentDetails]
    after: Position | None


def listing(
    session: Session,
    actor: Actor,
    *,
    first: date | None = None,
    last: date | None = None,
    clinic_id: int | None = None,
    doctor_id: int | None = None,
    patient_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
    after: Position | None = None,
) -> Page:
    """One page of appointments in (start, id) order, strictly after `after`, in one statement. Dates are
    read in each appointment's clinic time zone. One row more than `limit` is read to know whether
    another page follows."""
    limit = min(limit, MAX_LIMIT)
    found = _views(
        store.details_page(
            session,
            actor=actor,
            first=first,
            last=last,
            clinic_id=clinic_id,
            doctor_id=doctor_id,
            patient_id=patient_id,
            status=status,
            rows=limit + 1,
            after=(after.at, after.id) if after is not None else None,
        )
    )
    if len(found) <= limit:
        return Page(found, None)
    last_row = found[limit - 1]
    return Page(found[:limit], Position(last_row.starts_at, last_row.id))


def history(session: Session, appointment_id: int, timezone: str) -> list[dict]:
    """Who did what to an appointment, oldest first, times in the clinic's zone."""
    tz = zone(timezone)
    return [
        {
            "id": r.id,
            "action": r.action,
            "at": r.at.astimezone(tz),
            "actor_id": r.actor_id,
            "actor_name": r.full_name,
            "actor_role": r.role or "system",
            "old_starts_at": r.old_starts_at.astimezone(tz) if r.old_starts_at else None,
            "new_starts_at": r.new_starts_at.astimezone(tz) if r.new_starts_at else None,
            "details": r.details or {},
        }
        for r in store.history(session, appointment_id)
    ]
