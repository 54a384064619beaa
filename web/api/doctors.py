"""Doctors, their weekly hours, time off and free slots."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from spectree import Response

from clinic.appointments import service as appointments
from clinic.availability.first_free import next_available
from clinic.availability.service import slots as free_slots
from clinic.availability.service import zone
from clinic.clock import utcnow
from clinic.errors import NotFound
from clinic.scheduling import calendar
from clinic.scheduling import service as scheduling
from clinic.scheduling.calendar import Interval
from web import database
from web.access import ANYONE, SIGNED_IN, STAFF, access, current_actor
from web.extensions import spec
from web.schemas.appointments import AppointmentOut
from web.schemas.common import ErrorOut, parse_date
from web.schemas.scheduling import (
    DateOverrideIn,
    DateOverrideList,
    DateOverrideOut,
    DoctorIn,
    DoctorList,
    DoctorOut,
    DoctorPatch,
    DoctorQuery,
    NextAvailable,
    SlotsOut,
    SlotsQuery,
    TimeOffCreated,
    TimeOffIn,
    TimeOffList,
    TimeOffOut,
    TimeOffPreviewIn,
    TimeOffPreviewOut,
    WorkingHoursIn,
    WorkingHoursList,
    WorkingHoursOut,
    slots_json,
)

bp = Blueprint("doctors", __name__, url_prefix="/api")
TAGS = ["doctors"]
SECURITY = {"bearer": []}  # web.openapi writes each operation's real requirement from its access declaration
MANAGERS = (*STAFF, "doctor")


def _time_off_out(row, doctor) -> TimeOffOut:
    tz = zone(doctor.clinic.timezone)
    return TimeOffOut(
        id=row.id,
        doctor_id=row.doctor_id,
        starts_at=row.starts_at.astimezone(tz),
        ends_at=row.ends_at.astimezone(tz),
        reason=row.reason,
    )


def _override_out(item) -> DateOverrideOut:
    return DateOverrideOut(
        date=item.day.isoformat(),
        ranges=[{"start": s.strftime("%H:%M"), "end": e.strftime("%H:%M")} for s, e in item.ranges],
    )


def _hours_out(rows) -> WorkingHoursList:
    return WorkingHoursList(
        [
            WorkingHoursOut(weekday=r.weekday, start=r.start_time.strftime("%H:%M"), end=r.end_time.strftime("%H:%M"))
            for r in rows
        ]
    )


@bp.post("/doctors")
@access("admin")
@database.unit_of_work()
@spec.validate(
    json=DoctorIn, resp=Response(HTTP_201=DoctorOut, HTTP_409=ErrorOut, HTTP_422=ErrorOut), tags=TAGS, security=SECURITY
)
def create_doctor():
    """Create a doctor: the account (role doctor) and the profile (admins). Without a `password` the doctor is
    invited: emailed a link (valid 7 days, single use) that sets it."""
    body: DoctorIn = request.context.json
    doctor = scheduling.create_doctor(
        database.session(),
        email=str(body.email),
        password=body.password,
        full_name=body.full_name,
        specialty=body.specialty,
        clinic_id=body.clinic_id,
        service_ids=body.service_ids,
        invite_secret=current_app.config["JWT_SECRET_KEY"],
        now=utcnow(),
    )
    return DoctorOut.model_validate(doctor), 201


@bp.get("/doctors")
@access(ANYONE)
@database.unit_of_work(reads_only=True)
@spec.validate(query=DoctorQuery, resp=Response(HTTP_200=DoctorList), tags=TAGS, security=SECURITY)
def list_doctors():
    """Active doctors with hours, optionally by specialty, clinic or service, each with its next free time
    (anyone; staff also see inactive doctors and those without hours)."""
    q: DoctorQuery = request.context.query
    db, actor = database.session(), current_actor()
    doctors = scheduling.list_doctors(
        db,
        specialty=q.specialty,
        clinic_id=q.clinic_id,
        service_id=q.service_id,
        include_inactive=actor.is_staff,
        include_without_hours=actor.is_staff,
    )
    nexts = next_available(
        db,
        doctor_ids=[d.id for d in doctors],
        now=utcnow(),
        service_id=q.service_id,
        settings=current_app.config["SETTINGS"],
        patient_id=actor.user_id if actor.is_patient else None,
    )
    return DoctorList(
        [DoctorOut.model_validate(d).model_copy(update={"next_available": _next(nexts[d.id])}) for d in doctors]
    )


def _next(found) -> NextAvailable | None:
    return None if found is None else NextAvailable(service_id=found.service_id, starts_at=found.starts_at)


@bp.get("/doctors/me")
@access("doctor")
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=DoctorOut, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def my_profile():
    """The doctor profile of the signed-in doctor."""
    return DoctorOut.model_validate(scheduling.doctor_of_user(database.session(), user_id=current_actor().user_id))


@bp.get("/doctors/<int:doctor_id>")
@access(SIGNED_IN)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=DoctorOut, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def get_doctor(doctor_id: int):
    """One doctor."""
    return DoctorOut.model_validate(scheduling.get_doctor(database.session(), doctor_id=doctor_id))


@bp.patch("/doctors/<int:doctor_id>")
@access("admin")
@database.unit_of_work()
@spec.validate(
    json=DoctorPatch,
    resp=Response(HTTP_200=DoctorOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def update_doctor(doctor_id: int):
    """Change specialty, clinic, services or active (deactivating cancels future appointments in the background)."""
    body: DoctorPatch = request.context.json
    doctor = scheduling.update_doctor(
        database.session(), doctor_id=doctor_id, changes=body.model_dump(exclude_unset=True, exclude_none=True)
    )
    return DoctorOut.model_validate(doctor)


@bp.get("/doctors/<int:doctor_id>/working-hours")
@access(*MANAGERS)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=WorkingHoursList, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def get_working_hours(doctor_id: int):
    """The doctor's weekly hours (admins, receptionists, that doctor)."""
    db = database.session()
    doctor = scheduling.managed_doctor(db, actor=current_actor(), doctor_id=doctor_id)
    return _hours_out(calendar.list_working_hours(db, doctor_id=doctor.id))


@bp.put("/doctors/<int:doctor_id>/working-hours")
@access(*MANAGERS)
@database.unit_of_work()
@spec.validate(
    json=WorkingHoursIn,
    resp=Response(HTTP_200=WorkingHoursList, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def put_working_hours(doctor_id: int):
    """Replace the weekly hours: `[{weekday, start, end}]`, weekday 0 = Monday, "HH:MM" in the clinic's zone."""
    body: WorkingHoursIn = request.context.json
    db = database.session()
    doctor = scheduling.managed_doctor(db, actor=current_actor(), doctor_id=doctor_id)
    intervals = [Interval(i.weekday, *i.times()) for i in body.root]
    return _hours_out(calendar.replace_working_hours(db, doctor=doctor, intervals=intervals))


@bp.get("/doctors/<int:doctor_id>/time-off")
@access(*MANAGERS)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=TimeOffList, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def list_time_off(doctor_id: int):
    """The doctor's time off, in start order (admins, receptionists, that doctor)."""
    db = database.session()
    doctor = scheduling.managed_doctor(db, actor=current_actor(), doctor_id=doctor_id)
    return TimeOffList([_time_off_out(t, doctor) for t in calendar.list_time_off(db, doctor_id=doctor.id)])


@bp.post("/doctors/<int:doctor_id>/time-off")
@access(*MANAGERS)
@database.unit_of_work()
@spec.validate(
    json=TimeOffIn,
    resp=Response(HTTP_201=TimeOffCreated, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def add_time_off(doctor_id: int):
    """Record time off; overlapping appointments are cancelled in the background and their patients told."""
    body: TimeOffIn = request.context.json
    db, actor = database.session(), current_actor()
    doctor = scheduling.managed_doctor(db, actor=actor, doctor_id=doctor_id)
    time_off, affected = calendar.add_time_off(
        db, actor=actor, doctor=doctor, starts_at=body.starts_at, ends_at=body.ends_at, reason=body.reason
    )
    out = _time_off_out(time_off, doctor).model_dump()
    return TimeOffCreated(**out, affected_appointments=len(affected), affected_appointment_ids=affected), 201


@bp.post("/doctors/<int:doctor_id>/time-off/preview")
@access(*MANAGERS)
@database.unit_of_work()
@spec.validate(
    json=TimeOffPreviewIn,
    resp=Response(HTTP_200=TimeOffPreviewOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def preview_time_off(doctor_id: int):
    """The booked appointments that this time off would cancel; changes nothing (admins, receptionists, that
    doctor)."""
    body: TimeOffPreviewIn = request.context.json
    db, actor = database.session(), current_actor()
    doctor = scheduling.managed_doctor(db, actor=actor, doctor_id=doctor_id)
    ids = calendar.preview_time_off(db, doctor=doctor, starts_at=body.starts_at, ends_at=body.ends_at)
    found = appointments.views_of(db, actor=actor, ids=ids)
    return TimeOffPreviewOut(affected_appointments=[AppointmentOut.model_validate(v) for v in found])


@bp.get("/doctors/<int:doctor_id>/date-overrides")
@access(*MANAGERS)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=DateOverrideList, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def list_date_overrides(doctor_id: int):
    """The doctor's date overrides, in date order: one local date's own hours (no ranges: a day off)."""
    db = database.session()
    doctor = scheduling.managed_doctor(db, actor=current_actor(), doctor_id=doctor_id)
    return DateOverrideList([_override_out(o) for o in calendar.list_overrides(db, doctor_id=doctor.id)])


@bp.put("/doctors/<int:doctor_id>/date-overrides")
@access(*MANAGERS)
@database.unit_of_work()
@spec.validate(
    json=DateOverrideIn,
    resp=Response(HTTP_200=DateOverrideOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def put_date_override(doctor_id: int):
    """Set one date's hours, replacing the weekday's for that date: `{date, ranges: [{start, end}]}`, "HH:MM"
    in the clinic's zone; `ranges: []` is a day off. Existing bookings stay (use time off to cancel them)."""
    body: DateOverrideIn = request.context.json
    db = database.session()
    doctor = scheduling.managed_doctor(db, actor=current_actor(), doctor_id=doctor_id)
    item = calendar.set_override(db, doctor=doctor, day=body.date, ranges=[r.times() for r in body.ranges])
    return _override_out(item)


@bp.route("/doctors/<int:doctor_id>/date-overrides/<day>", methods=["DELETE"])
@access(*MANAGERS)
@database.unit_of_work()
@spec.validate(resp=Response("HTTP_204", HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def delete_date_override(doctor_id: int, day: str):
    """Remove a date override (that date follows the weekly hours again). `day` is YYYY-MM-DD; anything else
    names no override (404), as an id out of range names no resource."""
    try:
        parsed = parse_date(day)
    except ValueError as err:
        raise NotFound("No override on that date.") from err
    db = database.session()
    doctor = scheduling.managed_doctor(db, actor=current_actor(), doctor_id=doctor_id)
    calendar.remove_override(db, doctor=doctor, day=parsed)
    return current_app.response_class(status=204)


@bp.route("/doctors/<int:doctor_id>/time-off/<int:time_off_id>", methods=["DELETE"])
@access(*MANAGERS)
@database.unit_of_work()
@spec.validate(resp=Response("HTTP_204", HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def delete_time_off(doctor_id: int, time_off_id: int):
    """Remove a time-off period (appointments it cancelled stay cancelled)."""
    db = database.session()
    doctor = scheduling.managed_doctor(db, actor=current_actor(), doctor_id=doctor_id)
    calendar.remove_time_off(db, doctor=doctor, time_off_id=time_off_id)
    return current_app.response_class(status=204)


@bp.get("/doctors/<int:doctor_id>/slots")
@access(ANYONE, checked_in_statement=True)
@database.unit_of_work(reads_only=True)
@spec.validate(
    query=SlotsQuery,
    resp=Response(HTTP_200=SlotsOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def slots(doctor_id: int):
    """Free slots for a service between two local dates (inclusive, at most 62 days): what a booking would get now
    (anyone: without an account, no time held for a waitlisted patient shows)."""
    q: SlotsQuery = request.context.query
    found = free_slots(
        database.session(),
        actor=current_actor(),
        doctor_id=doctor_id,
        service_id=q.service_id,
        first=parse_date(q.from_),
        last=parse_date(q.to),
        now=utcnow(),
        settings=current_app.config["SETTINGS"],
        patient_id=q.patient_id,
    )
    return slots_json(found)
