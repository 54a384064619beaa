"""The appointment lifecycle: book, move, cancel, record attendance.

Every change bumps `sequence`, sets `updated_at`, writes an `appointment_history` row and an outbox
message in the statement that makes it (the one writer: clinic.appointments.store). Services never
commit; the caller's unit of work does.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from clinic.appointments import booking, store, views
from clinic.appointments.models import Appointment
from clinic.appointments.views import AppointmentDetails
from clinic.clock import utcnow
from clinic.errors import Conflict, Forbidden, Invalid, NotFound
from clinic.identity.actor import SYSTEM, Actor
from clinic.identity.patients import check_named_patient
from clinic.records import audit
from clinic.settings import Settings

DEFAULT_CUTOFF_HOURS = Settings.__dataclass_fields__["patient_change_cutoff_hours"].default


def _user_id(actor: Actor) -> int | None:
    return None if actor.role == SYSTEM.role else actor.user_id


def _cause(actor: Actor) -> str:
    if actor.role == SYSTEM.role:
        return "system"
    return "staff" if actor.is_staff else actor.role


def get_visible(session: Session, *, actor: Actor, appointment_id: int, for_update: bool = False) -> Appointment:
    """The appointment if the actor may see it (patients and doctors: their own; staff: all), else NotFound."""
    appointment = store.visible(session, actor=actor, appointment_id=appointment_id, for_update=for_update)
    if appointment is None:
        raise NotFound("No such appointment.")
    return appointment


def book(
    session: Session,
    *,
    actor: Actor,
    doctor_id: int,
    service_id: int,
    starts_at: datetime,
    settings: Settings,
    patient_id: int | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> AppointmentDetails:
    """Book a slot: patients for themselves, staff for a given patient (one statement, which also checks the
    actor's account when the actor says so: see booking.book).

    On an overlap (409 slot_taken / patient_busy) the transaction is aborted: roll it back.
    """
    now = now or utcnow()
    patient_id = _patient_for(actor, patient_id)
    ok = booking.book(
        session,
        doctor_id=doctor_id,
        service_id=service_id,
        patient_id=patient_id,
        starts_at=starts_at,
        reason=reason,
        actor_id=_user_id(actor),
        now=now,
        settings=settings,
        caller=actor,
    )
    return AppointmentDetails(
        id=ok.appointment_id,
        doctor_id=doctor_id,
        patient_id=patient_id,
        service_id=service_id,
        clinic_id=ok.clinic_id,
        timezone=ok.timezone,
        starts_at=ok.starts_at,
        ends_at=ok.ends_at,
        status="booked",
        reason=reason,
        sequence=0,
        doctor_name=ok.doctor_name,
        patient_name=ok.patient_name,
        service_name=ok.service_name,
    )


def _patient_for(actor: Actor, patient_id: int | None) -> int:
    if actor.is_patient:
        if patient_id not in (None, actor.user_id):
            raise Forbidden("Patients can only book for themselves.", code="forbidden")
        return actor.user_id
    if not (actor.is_staff or actor.role == SYSTEM.role):
        raise Forbidden("Your role may not book appointments.", code="forbidden")
    if patient_id is None:
        raise Invalid("Say which patient the appointment is for.", fields={"patient_id": "is required"})
    return patient_id


def _cutoff(settings: Settings | None) -> timedelta:
    return timedelta(hours=settings.patient_change_cutoff_hours if settings else DEFAULT_CUTOFF_HOURS)


def _must_be_booked(appointment: Appointment) -> None:
    if appointment.status == "cancelled":
        raise Conflict("This appointment was cancelled.", code="already_cancelled")
    if appointment.status != "booked":
        raise Conflict("Attendance has already been recorded.", code="attendance_recorded")


def reschedule(
    session: Session,
    *,
    actor: Actor,
    appointment_id: int,
    starts_at: datetime,
    settings: Settings,
    now: datetime | None = None,
    channel: str | None = None,
) -> Appointment:
    """Move a booked appointment to another slot, under the same rules as a booking. `channel`: the patient
    acted through a manage link sent by email or SMS (clinic.manage), written into the history entry."""
    now = now or utcnow()
    appointment = get_visible(session, actor=actor, appointment_id=appointment_id, for_update=True)
    if actor.is_doctor:
        raise NotFound("No such appointment.")  # doctors cancel; moving is for the patient or the front desk
    _must_be_booked(appointment)
    if actor.is_patient and appointment.starts_at - now < _cutoff(settings):
        raise Conflict("It is too late to change this appointment; please call the clinic.", code="too_late_to_change")
    ok = booking.check(
        session,
        doctor_id=appointment.doctor_id,
        service_id=appointment.service_id,
        patient_id=appointment.patient_id,
        starts_at=starts_at,
        now=now,
        settings=settings,
    )
    if ok.starts_at == appointment.starts_at:
        return appointment  # already there: nothing changes, nobody is told twice
    try:
        return store.reschedule(
            session,
            appointment,
            starts_at=ok.starts_at,
            ends_at=ok.ends_at,
            blocked_until=ok.blocked_until,
            actor_id=_user_id(actor),
            now=now,
            previous_iso=_iso_utc(appointment.starts_at),
            details=_via(channel),
        )
    except (IntegrityError, OperationalError) as err:
        if conflict := booking.overlap_conflict(err):
            raise conflict from err
        raise


def cancel(
    session: Session,
    *,
    actor: Actor,
    appointment_id: int,
    reason: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
    channel: str | None = None,
) -> Appointment:
    """Cancel: patients up to the start (inside the cutoff it is a late cancellation, counted); doctors, staff
    and the system (cascades) at any time. The freed slot goes to the waitlist either way. `channel` as for
    `reschedule`."""
    now = now or utcnow()
    appointment = get_visible(session, actor=actor, appointment_id=appointment_id, for_update=True)
    _must_be_booked(appointment)
    inside_cutoff = appointment.starts_at - now < _cutoff(settings)
    if actor.is_patient and appointment.starts_at <= now:
        raise Conflict("This appointment has already started; it can no longer be cancelled.", code="already_started")
    cause = _cause(actor)
    late = inside_cutoff and cause in ("patient", "staff")  # the patient, or the desk on their behalf, cancelling late
    return store.cancel(
        session,
        appointment,
        actor_id=_user_id(actor),
        now=now,
        reason=reason,
        late=late,
        cause=cause,
        details={"cause": cause, "reason": reason, "late": late, **(_via(channel) or {})},
    )


def record_attendance(
    session: Session, *, actor: Actor, appointment_id: int, status: str, now: datetime | None = None
) -> Appointment:
    """Mark a started appointment `completed` or `no_show` (its doctor or staff)."""
    if status not in ("completed", "no_show"):
        raise Invalid(fields={"status": "must be completed or no_show"})
    now = now or utcnow()
    appointment = get_visible(session, actor=actor, appointment_id=appointment_id, for_update=True)
    if actor.is_patient:
        raise NotFound("No such appointment.")
    _must_be_booked(appointment)
    if appointment.starts_at > now:
        raise Conflict("The appointment has not started yet.", code="not_started")
    return store.record_attendance(session, appointment, status=status, actor_id=_user_id(actor), now=now)


def late_cancellations(session: Session, *, patient_id: int) -> int:
    """How many of a patient's appointments were cancelled late (inside the cutoff)."""
    return store.late_cancellations(session, patient_id=patient_id)


def late_cancellations_of(session: Session, *, actor: Actor, patient_id: int) -> int:
    """The late-cancellation count of a patient: staff may ask about any patient, a patient only about themself;
    any other id is 404."""
    check_named_patient(session, actor, patient_id)
    return late_cancellations(session, patient_id=patient_id)


def view(
    session: Session,
    *,
    actor: Actor,
    appointment_id: int,
    read_reason: bool = False,
    ip: str | None = None,
    now: datetime | None = None,
) -> AppointmentDetails:
    """The appointment with its display fields, if the actor may see it.

    The reason a patient gives is clinical data. Its patient and its doctor see it; staff (the front desk
    books, moves and cancels without it) only through `read_reason`, which writes a row in the patient's
    records audit trail (`audit.APPOINTMENT_REASON`), like any read of the medical record."""
    found = views.view_of(session, actor, appointment_id)
    if actor.is_staff and found.reason is not None:
        if read_reason:
            attempt = audit.Attempt(
                actor=actor, patient_id=found.patient_id, action=audit.APPOINTMENT_REASON, ip=ip, at=now or utcnow()
            )
            audit.write(session, attempt, outcome="granted", object_id=found.id)
        else:
            found.reason = None
    return found


def listing(session: Session, *, actor: Actor, **filters) -> views.Page:
    """A page of the appointments the actor may see (patients, doctors: theirs; staff: all, without reasons:
    see `view`), filtered, in (start, id) order. Filtering by an id that is not a patient's (or, for a
    patient, not their own) is 404."""
    if filters.get("patient_id") is not None:
        check_named_patient(session, actor, filters["patient_id"])
    page = views.listing(session, actor, **filters)
    if actor.is_staff:
        for item in page.items:
            item.reason = None
    return page


def views_of(session: Session, *, actor: Actor, ids: list[int]) -> list[AppointmentDetails]:
    """Several appointments the actor may see, in start order (staff without reasons: see `view`)."""
    found = views.views_of(session, actor, ids)
    if actor.is_staff:
        for item in found:
            item.reason = None
    return found


def history(session: Session, *, actor: Actor, appointment_id: int) -> list[dict]:
    """The change history of an appointment: staff and the appointment's doctor."""
    if actor.is_patient:
        raise NotFound("No such appointment.")
    appointment = get_visible(session, actor=actor, appointment_id=appointment_id)
    timezone_name = store.clinic_timezone(session, appointment.clinic_id)
    return views.history(session, appointment_id, timezone_name)


def _via(channel: str | None) -> dict | None:
    """History details of a change made through a manage link (the channel that carried the link)."""
    return {"via": "manage_link", "channel": channel} if channel else None


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()
