"""The waitlist: patients ask to be offered a freed slot of a service (optionally one doctor or clinic)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, request
from pydantic import ConfigDict, Field, RootModel
from spectree import Response

from clinic.clock import utcnow
from clinic.waitlist import service as waitlist
from web import database
from web.access import SIGNED_IN, STAFF, access, current_actor
from web.extensions import spec
from web.schemas.common import CalendarDate, ErrorOut, Id, Strict

bp = Blueprint("waitlist", __name__, url_prefix="/api")
TAGS = ["waitlist"]
SECURITY = {"bearer": []}


class WaitlistIn(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    service_id: Id
    doctor_id: Id | None = None
    clinic_id: Id | None = None
    patient_id: Id | None = Field(default=None, description="staff only: whom the entry is for")
    from_: CalendarDate = Field(alias="from", description="YYYY-MM-DD, in the slot's clinic time zone")
    to: CalendarDate = Field(description="YYYY-MM-DD, inclusive")


class WaitlistOut(Strict):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    patient_id: int
    service_id: int
    doctor_id: int | None
    clinic_id: int | None
    from_: date = Field(alias="from")
    to: date
    status: str = Field(description="waiting, offered (a slot is held for the patient), fulfilled")
    created_at: datetime


class JoinedOut(WaitlistOut):
    already_waiting: bool = Field(
        description="true (and 200, not 201) when the same request was already on the "
        "waitlist: the answer is that existing entry, nothing new is added"
    )


class WaitlistList(RootModel[list[WaitlistOut]]):
    pass


def _out(e) -> dict:
    return {
        "id": e.id,
        "patient_id": e.patient_id,
        "service_id": e.service_id,
        "doctor_id": e.doctor_id,
        "clinic_id": e.clinic_id,
        "from": e.from_date.isoformat(),
        "to": e.to_date.isoformat(),
        "status": e.status,
        "created_at": e.created_at.isoformat(),
    }


@bp.post("/waitlist")
@access("patient", *STAFF)
@database.unit_of_work()
@spec.validate(
    json=WaitlistIn,
    resp=Response(HTTP_200=JoinedOut, HTTP_201=JoinedOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def join():
    """Join the waitlist: the first matching patient is offered a freed slot and holds it for a while (only they
    can see and book it meanwhile). Staff name the patient: an id that is not a patient's answers 404. Asking
    again for the same while still waiting answers the existing entry (200, `already_waiting: true`)."""
    body: WaitlistIn = request.context.json
    entry, created = waitlist.join(
        database.session(),
        actor=current_actor(),
        service_id=body.service_id,
        doctor_id=body.doctor_id,
        clinic_id=body.clinic_id,
        patient_id=body.patient_id,
        from_date=body.from_,
        to_date=body.to,
        today=utcnow().date(),
    )
    return {**_out(entry), "already_waiting": not created}, 201 if created else 200


@bp.get("/waitlist")
@access(SIGNED_IN)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=WaitlistList), tags=TAGS, security=SECURITY)
def list_entries():
    """Current entries: patients see their own, staff everyone's."""
    return [_out(e) for e in waitlist.entries(database.session(), actor=current_actor())]


@bp.post("/waitlist/<int:entry_id>/decline")
@access("patient", *STAFF)
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=WaitlistOut, HTTP_404=ErrorOut, HTTP_409=ErrorOut), tags=TAGS, security=SECURITY)
def decline(entry_id: int):
    """Turn down the slot held for this entry and stay on the waitlist (its patient, or staff for them): the slot
    returns to everyone and is offered to the next waiting patient. 409 nothing_to_decline when none is held."""
    return _out(waitlist.decline(database.session(), actor=current_actor(), entry_id=entry_id))


@bp.route("/waitlist/<int:entry_id>", methods=["DELETE"])
@access(SIGNED_IN)
@database.unit_of_work()
@spec.validate(resp=Response("HTTP_204", HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def leave(entry_id: int):
    """Leave the waitlist (a slot held for the entry goes to the next patient); another patient's entry: 404."""
    waitlist.leave(database.session(), actor=current_actor(), entry_id=entry_id)
    return "", 204
