"""The SMS domain's SQL: who sent a reply and their next appointment, each inbound message claimed once,
what a reminder SMS says, and the front desk's list of appointments nobody confirmed. Raw SQL in psycopg's
`%(name)s` style through the platform helpers (clinic/db.py). The reminder SMS rows themselves are delivery
rows: clinic/notifications/store/deliveries.py."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from clinic.appointments.views import AppointmentDetails
from clinic.db import Row, fetch_all, fetch_one, fetch_value
from clinic.sms.models import SmsReply

# --- replies ---------------------------------------------------------------------------------------------------

_SENDERS = """
    SELECT id, locale FROM users
    WHERE phone = %(phone)s AND role = 'patient' AND is_active
    ORDER BY sms_opt_in DESC, id
"""
_NEXT = """
    SELECT a.id FROM appointments a
    WHERE a.patient_id = ANY(%(patients)s) AND a.status = 'booked' AND a.starts_at > %(now)s
    ORDER BY a.starts_at, a.id LIMIT 1
"""


def claim_reply(session: Session, *, message_sid: str) -> int | None:
    """The id of a new `received` row for this message; None when the message was seen before."""
    return session.execute(
        insert(SmsReply)
        .values(message_sid=message_sid[:64], action="received")
        .on_conflict_do_nothing(index_elements=["message_sid"])
        .returning(SmsReply.id)
    ).scalar_one_or_none()


def senders(session: Session, *, phone: str) -> list[Row]:
    """`(id, locale)` of the active patients with this phone, those who consented to SMS first."""
    return fetch_all(session, _SENDERS, {"phone": phone})


def next_appointment_id(session: Session, *, patient_ids: list[int], now: datetime) -> int | None:
    """The soonest booked appointment of these patients that starts after `now`."""
    return fetch_value(session, _NEXT, {"patients": patient_ids, "now": now})


# --- reminders -------------------------------------------------------------------------------------------------

_REMINDER = """
    SELECT a.status, a.starts_at, u.phone, u.sms_opt_in, u.locale, u.is_active, c.name, c.timezone
    FROM appointments a JOIN users u ON u.id = a.patient_id JOIN clinics c ON c.id = a.clinic_id
    WHERE a.id = %(id)s
"""


def reminder_facts(session: Session, *, appointment_id: int) -> Row | None:
    """`(status, starts_at, phone, sms_opt_in, locale, is_active, clinic name, zone)` of an appointment and its
    patient."""
    return fetch_one(session, _REMINDER, {"id": appointment_id})


# --- the front desk's no-reply list -------------------------------------------------------------------------------

# AppointmentDetails's fields, in the display shape every appointment listing has.
_VIEW_COLUMNS = """
    a.id, a.doctor_id, a.patient_id, a.service_id, a.clinic_id, c.timezone, a.starts_at, a.ends_at, a.status,
    a.reason, a.sequence, du.full_name AS doctor_name, pu.full_name AS patient_name, s.name AS service_name,
    a.late_cancellation, a.cancelled_at, a.cancellation_reason, a.confirmed_at, a.cancelled_via"""
# The day's bounds in the clinic's zone decide; the same day in UTC widened by a day on each side (every zone's
# midnight is within 14 hours of UTC's) is a constant the planner can start an index range with.
_NO_REPLY = f"""
    SELECT {_VIEW_COLUMNS}, pu.phone,
           EXISTS (SELECT 1 FROM deliveries d WHERE d.appointment_id = a.id AND d.kind = 'reminder_sms'
                     AND d.status = 'sent') AS texted
    FROM appointments a
    JOIN clinics c ON c.id = a.clinic_id
    JOIN doctors doc ON doc.id = a.doctor_id JOIN users du ON du.id = doc.user_id
    JOIN users pu ON pu.id = a.patient_id
    JOIN services s ON s.id = a.service_id
    WHERE a.clinic_id = %(clinic_id)s AND a.status = 'booked' AND a.confirmed_at IS NULL
      AND a.starts_at >= CAST(%(day_before)s AS date)::timestamp AT TIME ZONE 'UTC'
      AND a.starts_at < CAST(%(day_after_next)s AS date)::timestamp AT TIME ZONE 'UTC'
      AND a.starts_at >= CAST(%(day)s AS date)::timestamp AT TIME ZONE c.timezone
      AND a.starts_at < CAST(%(next_day)s AS date)::timestamp AT TIME ZONE c.timezone
    ORDER BY a.starts_at, a.id
"""
_VIEW_FIELDS = [f.name for f in fields(AppointmentDetails)]


def unconfirmed(session: Session, *, clinic_id: int, day: date) -> list[tuple[AppointmentDetails, str | None, bool]]:
    """The clinic's booked appointments starting on `day` (in its zone) that nobody confirmed, in start order:
    each with its patient's phone and whether a reminder SMS about it was sent."""
    rows = fetch_all(
        session,
        _NO_REPLY,
        {
            "clinic_id": clinic_id,
            "day": day,
            "next_day": day + timedelta(days=1),
            "day_before": day - timedelta(days=1),
            "day_after_next": day + timedelta(days=2),
        },
    )
    return [
        (AppointmentDetails(**{name: getattr(row, name) for name in _VIEW_FIELDS}), row.phone, row.texted)
        for row in rows
    ]
