"""All of the appointments domain's SQL: the booking statement, the one writer of a state change, reads.

Raw SQL in psycopg's `%(name)s` style through clinic.db's helpers (a literal `%` is `%%`); ORM queries for
the reads that page through SQLAlchemy. Functions take the session first and return data; they never commit.

One writer per state change
---------------------------
Every change of an appointment (booked, rescheduled, cancelled, attendance, a no-show marked by the sweep)
bumps its `sequence` (a new row starts at 0), sets `updated_at`, writes an `appointment_history` row and
an outbox message, in the statement that makes the change. That is written once, here, as composable SQL:
`changed_row` (the UPDATE that bumps the sequence) and `record_change` (the history row and the outbox
message of every row a CTE changed). The booking statement, `change` (moves, cancellations, attendance)
and the no-show sweep (store_no_shows.py) are built from them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Date, DateTime, Select, bindparam, cast, func, literal, literal_column, select, tuple_
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from clinic.appointments.models import Appointment, AppointmentHistory
from clinic.db import fetch_one, first_row
from clinic.identity import store as identity_store
from clinic.identity.actor import SYSTEM, Actor
from clinic.identity.models import User
from clinic.scheduling.models import Clinic, Doctor, Service
from clinic.topics import Topic

# --- the one writer of a state change -------------------------------------------------------------------


def changed_row(assignments: str, where: str, *, source: str = "") -> str:
    """An UPDATE of appointments `a` that makes a change: `assignments` and the sequence bump, on the rows
    `where` selects (`source`: a FROM list it may join), returning the changed rows whole."""
    return (
        f"UPDATE appointments a SET sequence = a.sequence + 1, updated_at = %(now)s, {assignments} "
        f"{'FROM ' + source if source else ''} WHERE {where} RETURNING a.*"
    )


def record_change(
    changed: str,
    *,
    action: str,
    topic: Topic,
    payload: str,
    actor: str = "%(actor_id)s",
    old_starts_at: str = "NULL",
    new_starts_at: str = "NULL",
    details: str = "NULL",
) -> str:
    """CTEs writing, for every row of the CTE `changed` (an appointment row: `id`, `starts_at`...), its history
    row and its outbox message. The other arguments are SQL over the row's columns and the parameters."""
    return f"""{changed}_history AS (
  INSERT INTO appointment_history (appointment_id, actor_id, action, at, old_starts_at, new_starts_at, details)
  SELECT id, {actor}, '{action}', %(now)s, {old_starts_at}, {new_starts_at}, {details} FROM {changed}),
{changed}_message AS (
  INSERT INTO outbox (topic, payload) SELECT '{topic}', {payload} FROM {changed})"""


def _change_statement(assignments: str, **recorded) -> str:
    return f"""WITH changed AS ({changed_row(assignments, "a.id = %(appointment_id)s")}),
{record_change("changed", **recorded)}
SELECT * FROM changed"""


# The start of every appointment event's payload (each change closes it with its own fields).
EVENT_PAYLOAD = "jsonb_build_object('appointment_id', id"
_RESCHEDULE = _change_statement(
    "starts_at = %(starts_at)s, ends_at = %(ends_at)s, blocked_until = %(blocked_until)s, scheduled_at = %(now)s, "
    "confirmed_at = NULL, confirmed_via = NULL",  # a confirmation was of the old time
    action="rescheduled",
    topic=Topic.RESCHEDULED,
    old_starts_at="%(previous)s",
    new_starts_at="starts_at",
    details="CAST(%(details)s AS jsonb)",
    payload=f"{EVENT_PAYLOAD}, 'previous_starts_at', CAST(%(previous_iso)s AS text))",
)
_CANCEL = _change_statement(
    "status = 'cancelled', cancelled_at = %(now)s, cancelled_by = %(actor_id)s, cancellation_reason = %(reason)s, "
    "late_cancellation = %(late)s",
    action="cancelled",
    topic=Topic.CANCELLED,
    old_starts_at="starts_at",
    details="CAST(%(details)s AS jsonb)",
    payload=f"{EVENT_PAYLOAD}, 'cause', CAST(%(cause)s AS text))",
)
_ATTENDANCE = _change_statement(
    "status = %(status)s",
    action="attendance",
    topic=Topic.ATTENDANCE,
    details="CAST(%(details)s AS jsonb)",
    payload=f"{EVENT_PAYLOAD}, 'status', CAST(%(status)s AS text))",
)


def _change(session: Session, appointment: Appointment, sql: str, params: dict) -> Appointment:
    row = fetch_one(session, sql, {**params, "appointment_id": appointment.id})
    for column in Appointment.__table__.columns:  # the object now holds what the statement wrote
        set_committed_value(appointment, column.key, getattr(row, column.name))
    return appointment


def _json(details: dict | None) -> str | None:
    return None if details is None else json.dumps(details)


def reschedule(
    session: Session,
    appointment: Appointment,
    *,
    starts_at: datetime,
    ends_at: datetime,
    blocked_until: datetime,
    actor_id: int | None,
    now: datetime,
    previous_iso: str,
    details: dict | None,
) -> Appointment:
    """Move the appointment (its history row and `appointment.rescheduled` message with it). An overlap
    raises the exclusion constraint's IntegrityError."""
    return _change(
        session,
        appointment,
        _RESCHEDULE,
        {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "blocked_until": blocked_until,
            "now": now,
            "actor_id": actor_id,
            "previous": appointment.starts_at,
            "previous_iso": previous_iso,
            "details": _json(details),
        },
    )


def cancel(
    session: Session,
    appointment: Appointment,
    *,
    actor_id: int | None,
    now: datetime,
    reason: str | None,
    late: bool,
    cause: str,
    details: dict,
) -> Appointment:
    """Cancel the appointment (its history row and `appointment.cancelled` message with it)."""
    return _change(
        session,
        appointment,
        _CANCEL,
        {"now": now, "actor_id": actor_id, "reason": reason, "late": late, "cause": cause, "details": _json(details)},
    )


def record_attendance(
    session: Session, appointment: Appointment, *, status: str, actor_id: int | None, now: datetime
) -> Appointment:
    """Mark it completed or no_show (its history row and `appointment.attendance` message with it)."""
    return _change(
        session,
        appointment,
        _ATTENDANCE,
        {"status": status, "now": now, "actor_id": actor_id, "details": _json({"status": status})},
    )


# --- booking -------------------------------------------------------------------------------------------

# Everything the rules need about (doctor, service, patient, start) in one row.
_CONTEXT = """
SELECT d.active AND s.active AND EXISTS (SELECT 1 FROM doctor_services ds
                                         WHERE ds.doctor_id = d.id AND ds.service_id = s.id) AS available,
       d.clinic_id, c.timezone, s.duration_minutes, s.buffer_minutes,
       ARRAY(SELECT ARRAY[w.weekday, extract(epoch FROM w.start_time)::int, extract(epoch FROM w.end_time)::int]
             FROM working_hours w WHERE w.doctor_id = d.id ORDER BY w.weekday, w.start_time) AS hours,
       ARRAY(SELECT ARRAY[o.day - DATE '1970-01-01', coalesce(extract(epoch FROM o.start_time)::int, -1),
                          coalesce(extract(epoch FROM o.end_time)::int, -1)]
             FROM date_overrides o WHERE o.doctor_id = d.id
               AND o.day BETWEEN CAST(CAST(%(start)s AS timestamptz) AT TIME ZONE 'UTC' AS date) - 1
                             AND CAST(CAST(%(start)s AS timestamptz) AT TIME ZONE 'UTC' AS date) + 1
             ORDER BY o.day, o.start_time) AS overrides,
       EXISTS (SELECT 1 FROM time_off t WHERE t.doctor_id = d.id
               AND t.starts_at < CAST(%(start)s AS timestamptz) + make_interval(mins => s.duration_minutes)
               AND t.ends_at > %(start)s) AS time_off,
       EXISTS (SELECT 1 FROM slot_holds h WHERE h.doctor_id = d.id AND h.status = 'active'
               AND h.starts_at > CAST(%(start)s AS timestamptz) - interval '1 day'
               AND h.starts_at < CAST(%(start)s AS timestamptz) + make_interval(mins => s.duration_minutes
                                                                                         + s.buffer_minutes)
               AND h.blocked_until > %(start)s AND h.expires_at > %(now)s
               AND h.patient_id <> %(patient_id)s) AS held,
       u.full_name AS doctor_name, s.name AS service_name,
       (SELECT p.full_name FROM users p WHERE p.id = %(patient_id)s AND p.role = 'patient') AS patient_name
FROM doctors d JOIN clinics c ON c.id = d.clinic_id JOIN users u ON u.id = d.user_id
     JOIN services s ON s.id = %(service_id)s
WHERE d.id = %(doctor_id)s
"""


def _book_statement(account_holds: str) -> str:
    """Context, appointment, history row and outbox message in ONE statement. The insert happens only when
    the caller's account holds (`account_holds`: TRUE, or clinic.identity.store.ACCOUNT_HOLDS), the
    SQL-checkable rules hold and the grid the start was checked against (zone, hours, length) is the
    current one; a NULL %(timezone)s (no guess) only fetches the context. Always one row: the account
    check's verdict, then the context (NULLs when there is no such doctor or service)."""
    return f"""
WITH guard AS (SELECT {account_holds} AS held),
ctx AS ({_CONTEXT}),
booked AS (
  INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, blocked_until,
                            reason, created_by, scheduled_at, updated_at)
  SELECT %(doctor_id)s, %(patient_id)s, %(service_id)s, ctx.clinic_id, %(start)s,
         CAST(%(start)s AS timestamptz) + make_interval(mins => ctx.duration_minutes),
         CAST(%(start)s AS timestamptz) + make_interval(mins => ctx.duration_minutes + ctx.buffer_minutes),
         %(reason)s, %(actor_id)s, %(now)s, %(now)s
  FROM ctx, guard WHERE guard.held AND ctx.available AND NOT ctx.time_off AND NOT ctx.held
             AND ctx.patient_name IS NOT NULL
             AND ctx.timezone = %(timezone)s AND ctx.duration_minutes = %(duration_minutes)s
             AND ctx.hours = CAST(%(hours)s AS int[]) AND ctx.overrides = CAST(%(overrides)s AS int[])
  RETURNING id, starts_at),
{record_change("booked", action="booked", topic=Topic.BOOKED, new_starts_at="starts_at", payload=f"{EVENT_PAYLOAD})")}
SELECT guard.held, ctx.available, ctx.clinic_id, ctx.timezone, ctx.duration_minutes, ctx.buffer_minutes,
       ctx.hours, ctx.overrides, ctx.time_off, ctx.held, ctx.doctor_name, ctx.service_name, ctx.patient_name,
       (SELECT id FROM booked)
FROM guard LEFT JOIN ctx ON TRUE
"""


_BOOK = _book_statement("TRUE")
_BOOK_CHECKING_ACCOUNT = _book_statement(identity_store.ACCOUNT_HOLDS)


class BookRow(NamedTuple):
    """The booking statement's row, by position (cheaper than asking the driver for column names)."""

    account_holds: bool
    available: bool | None
    clinic_id: int | None
    timezone: str | None
    duration_minutes: int | None
    buffer_minutes: int | None
    hours: list | None
    overrides: list | None
    time_off: bool | None
    held: bool | None
    doctor_name: str | None
    service_name: str | None
    patient_name: str | None
    appointment_id: int | None


def book(session: Session, params: dict, caller: Actor | None) -> BookRow:
    """Run the booking statement (see `_book_statement`) on the driver fast path: the hottest write path.
    `params`: doctor_id, service_id, patient_id, start, reason, actor_id, now and the grid guessed (timezone,
    hours, overrides, duration_minutes). The caller's account is checked in it when the actor says so."""
    check = identity_store.account_check(caller) if caller is not None else None
    if check is None:
        return BookRow._make(first_row(session, _BOOK, params))
    return BookRow._make(first_row(session, _BOOK_CHECKING_ACCOUNT, {**params, **check}))


def booking_context(
    session: Session, *, doctor_id: int, service_id: int, patient_id: int, start: datetime, now: datetime
):
    """The context row the booking rules judge (columns as in the booking statement), or None."""
    return fetch_one(
        session,
        _CONTEXT,
        {"doctor_id": doctor_id, "service_id": service_id, "patient_id": patient_id, "start": start, "now": now},
    )


# --- reads ---------------------------------------------------------------------------------------------


def _scoped(stmt: Select, actor: Actor) -> Select:
    """Only the appointments the actor may see: patients and doctors their own, staff and the system all."""
    if actor.is_staff or actor.role == SYSTEM.role:
        return stmt
    if actor.is_patient:
        return stmt.where(Appointment.patient_id == actor.user_id)
    if actor.is_doctor:
        return stmt.where(Appointment.doctor_id.in_(select(Doctor.id).where(Doctor.user_id == actor.user_id)))
    return stmt.where(False)


def visible(session: Session, *, actor: Actor, appointment_id: int, for_update: bool = False) -> Appointment | None:
    """The appointment if the actor may see it (locked for update when asked), else None."""
    stmt = _scoped(select(Appointment).where(Appointment.id == appointment_id), actor)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def late_cancellations(session: Session, *, patient_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(Appointment.patient_id == patient_id, Appointment.late_cancellation.is_(True))
        )
        or 0
    )


def clinic_timezone(session: Session, clinic_id: int) -> str | None:
    return session.scalar(select(Clinic.timezone).where(Clinic.id == clinic_id))


_DoctorUser = aliased(User)
_Patient = aliased(User)


def _details() -> Select:
    """An appointment with its display fields, in the order of clinic.appointments.views.AppointmentDetails."""
    a = Appointment
    return (
        select(
            a.id,
            a.doctor_id,
            a.patient_id,
            a.service_id,
            a.clinic_id,
            Clinic.timezone,
            a.starts_at,
            a.ends_at,
            a.status,
            a.reason,
            a.sequence,
            _DoctorUser.full_name,
            _Patient.full_name,
            Service.name,
            a.late_cancellation,
            a.cancelled_at,
            a.cancellation_reason,
            a.confirmed_at,
            a.cancelled_via,
        )
        .join(Clinic, Clinic.id == a.clinic_id)
        .join(Doctor, Doctor.id == a.doctor_id)
        .join(_DoctorUser, _DoctorUser.id == Doctor.user_id)
        .join(_Patient, _Patient.id == a.patient_id)
        .join(Service, Service.id == a.service_id)
    )


def details_of(session: Session, *, actor: Actor, ids: Iterable[int]) -> list[tuple]:
    """Rows of `_details` for these ids within the actor's scope, in (start, id) order."""
    stmt = _scoped(_details().where(Appointment.id.in_(list(ids))), actor)
    return list(session.execute(stmt.order_by(Appointment.starts_at, Appointment.id)))


def _midnight(name: str, day: date, zone):
    """00:00 of `day` in a zone (a zone name as SQL, or a column naming one)."""
    return func.timezone(zone, cast(bindparam(name, day, type_=Date), DateTime()))


def _in_dates(stmt: Select, first: date | None, last: date | None) -> Select:
    """Keep appointments starting on [first, last] in their clinic's zone.

    The exact bounds depend on each row's clinic, so the planner can neither estimate them nor start an
    index range with them unless it reads the clinics first; it then misjudges a week as a sliver of the
    table and picks slow plans (measured: 44 ms, and a 445 ms parallel scan, instead of 3 and 8 ms). The
    same range in UTC, widened by a day on each side (every zone's midnight is within 14 hours of UTC's),
    is a constant it can use; the exact bound still decides."""
    a, utc = Appointment, literal_column("'UTC'")
    if first is not None:
        stmt = stmt.where(
            a.starts_at >= _midnight("first_utc", first - timedelta(days=1), utc),
            a.starts_at >= _midnight("first", first, Clinic.timezone),
        )
    if last is not None:
        stop = last + timedelta(days=1)
        stmt = stmt.where(
            a.starts_at < _midnight("stop_utc", stop + timedelta(days=1), utc),
            a.starts_at < _midnight("stop", stop, Clinic.timezone),
        )
    return stmt


def details_page(
    session: Session,
    *,
    actor: Actor,
    first: date | None,
    last: date | None,
    clinic_id: int | None,
    doctor_id: int | None,
    patient_id: int | None,
    status: str | None,
    rows: int,
    after: tuple[datetime, int] | None,
) -> list[tuple]:
    """Up to `rows` rows of `_details` within the actor's scope, filtered, in (start, id) order strictly after
    `after`, in one statement. Dates are read in each appointment's clinic time zone."""
    a = Appointment
    stmt = _in_dates(_scoped(_details(), actor), first, last)
    for column, value in (
        (a.clinic_id, clinic_id),
        (a.doctor_id, doctor_id),
        (a.patient_id, patient_id),
        (a.status, status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if after is not None:
        stmt = stmt.where(tuple_(a.starts_at, a.id) > tuple_(literal(after[0]), literal(after[1])))
    return list(session.execute(stmt.order_by(a.starts_at, a.id).limit(rows)))


def history(session: Session, appointment_id: int) -> list:
    """The appointment's history rows with their actor's name and role, oldest first."""
    h = AppointmentHistory
    return list(
        session.execute(
            select(
                h.id, h.action, h.at, h.actor_id, User.full_name, User.role, h.old_starts_at, h.new_starts_at, h.details
            )
            .outerjoin(User, User.id == h.actor_id)
            .where(h.appointment_id == appointment_id)
            .order_by(h.at, h.id)
        )
    )
