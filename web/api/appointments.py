"""Appointments: book, list, read, move, cancel, record attendance, history."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from spectree import Response

from clinic.appointments import service as appointments
from web import database
from web.access import SIGNED_IN, STAFF, access, current_actor
from web.extensions import spec
from web.paging import PagedResponse, next_link
from web.schemas.appointments import (
    AppointmentList,
    AppointmentOut,
    AppointmentQuery,
    AttendanceIn,
    BookIn,
    CancelIn,
    HistoryEntry,
    HistoryList,
    LateCancellationsOut,
    RescheduleIn,
)
from web.schemas.common import ErrorOut
from web.schemas.common import parse_date

bp = Blueprint("appointments", __name__, url_prefix="/api")
TAGS = ["appointments"]
SECURITY = {"bearer": []}
ERRORS = {"HTTP_403": ErrorOut, "HTTP_404": ErrorOut, "HTTP_409": ErrorOut, "HTTP_422": ErrorOut}


def _settings():
    return current_app.config["SETTINGS"]


def _out(appointment_id: int) -> AppointmentOut:
    view = appointments.view(database.session(), actor=current_actor(), appointment_id=appointment_id)
    return AppointmentOut.model_validate(view)


@bp.post("/appointments")
@access("patient", *STAFF, checked_in_statement=True)
@database.unit_of_work(one_statement=True)
@spec.validate(json=BookIn, resp=Response(HTTP_201=AppointmentOut, **ERRORS), tags=TAGS, security=SECURITY)
def book():
    """Book one of the doctor's free slots. 409 codes: slot_taken, patient_busy, outside_working_hours,
    doctor_unavailable, too_soon, too_far."""
    body: BookIn = request.context.json
    view = appointments.book(
        database.session(),
        actor=current_actor(),
        doctor_id=body.doctor_id,
        service_id=body.service_id,
        starts_at=body.starts_at,
        patient_id=body.patient_id,
        reason=body.reason,
        settings=_settings(),
    )
    return AppointmentOut.model_validate(view), 201


@bp.get("/appointments")
@access(SIGNED_IN)
@database.unit_of_work(reads_only=True)
@spec.validate(
    query=AppointmentQuery,
    resp=PagedResponse(HTTP_200=AppointmentList, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def list_appointments():
    """Appointments in (start, id) order, one page at a time: patients and doctors see theirs, staff all.

    Dates are read in the clinic's zone. When more rows match than `limit`, the `Link: <…>; rel="next"`
    header names the next page (same filters, a `cursor`); a page is never cut short without one.
    A `patient_id` that is not a patient's (for a patient: not their own) answers 404."""
    q: AppointmentQuery = request.context.query
    page = appointments.listing(
        database.session(),
        actor=current_actor(),
        first=parse_date(q.from_),
        last=parse_date(q.to),
        clinic_id=q.clinic_id,
        doctor_id=q.doctor_id,
        patient_id=q.patient_id,
        status=q.status,
        limit=q.limit,
        after=q.after,
    )
    return AppointmentList([AppointmentOut.model_validate(v) for v in page.items]), 200, next_link(page.after)


@bp.get("/appointments/<int:appointment_id>")
@access(SIGNED_IN)
# Transactional, like the record reads: a staff read of the reason adds its audit row, committed with the answer.
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=AppointmentOut, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def get_appointment(appointment_id: int):
    """One appointment (its patient, its doctor, staff; anyone else gets 404). Staff get the patient's
    `reason` only here, and each such read is written to the patient's records audit trail; lists and the
    answers to changes carry `reason: null` for staff."""
    view = appointments.view(
        database.session(),
        actor=current_actor(),
        appointment_id=appointment_id,
        read_reason=True,
        ip=request.remote_addr,
    )
    return AppointmentOut.model_validate(view)


@bp.patch("/appointments/<int:appointment_id>")
@access("patient", *STAFF)
@database.unit_of_work()
@spec.validate(json=RescheduleIn, resp=Response(HTTP_200=AppointmentOut, **ERRORS), tags=TAGS, security=SECURITY)
def reschedule(appointment_id: int):
    """Move to another free slot (patients up to the cutoff: 409 too_late_to_change)."""
    body: RescheduleIn = request.context.json
    appointments.reschedule(
        database.session(),
        actor=current_actor(),
        appointment_id=appointment_id,
        starts_at=body.starts_at,
        settings=_settings(),
    )
    return _out(appointment_id)


@bp.post("/appointments/<int:appointment_id>/cancel")
@access(SIGNED_IN)
@database.unit_of_work()
@spec.validate(json=CancelIn, resp=Response(HTTP_200=AppointmentOut, **ERRORS), tags=TAGS, security=SECURITY)
def cancel(appointment_id: int):
    """Cancel: its patient up to the start (inside the change cutoff the answer says `late_cancellation: true`:
    counted, and the slot still goes to the waitlist; after the start 409 already_started), its doctor, staff."""
    body: CancelIn | None = request.context.json
    appointments.cancel(
        database.session(),
        actor=current_actor(),
        appointment_id=appointment_id,
        reason=body.reason if body else None,
        settings=_settings(),
    )
    return _out(appointment_id)


@bp.post("/appointments/<int:appointment_id>/attendance")
@access("doctor", *STAFF)
@database.unit_of_work()
@spec.validate(json=AttendanceIn, resp=Response(HTTP_200=AppointmentOut, **ERRORS), tags=TAGS, security=SECURITY)
def attendance(appointment_id: int):
    """Record `completed` or `no_show` once the appointment has started (its doctor, staff)."""
    body: AttendanceIn = request.context.json
    appointments.record_attendance(
        database.session(), actor=current_actor(), appointment_id=appointment_id, status=body.status
    )
    return _out(appointment_id)


@bp.get("/appointments/<int:appointment_id>/history")
@access("doctor", *STAFF)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=HistoryList, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def history(appointment_id: int):
    """Who changed the appointment and when (staff and the appointment's doctor)."""
    entries = appointments.history(database.session(), actor=current_actor(), appointment_id=appointment_id)
    return HistoryList([HistoryEntry.model_validate(e) for e in entries])


@bp.get("/patients/<int:patient_id>/late-cancellations")
@access("patient", *STAFF)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=LateCancellationsOut, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def late_cancellations(patient_id: int):
    """How many of a patient's appointments were cancelled inside the cutoff (staff; the patient themself)."""
    count = appointments.late_cancellations_of(database.session(), actor=current_actor(), patient_id=patient_id)
    return LateCancellationsOut(patient_id=patient_id, late_cancellations=count)
