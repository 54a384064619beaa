"""The demo data's SQL (clinic/demo.py): what it checks before seeding, the appointments it adjusts after, and
the reminders and agendas it stores as already sent. Raw SQL in psycopg's `%(name)s` style through the
platform helpers (clinic/db.py); ORM queries where the seeding wants mapped objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.appointments.models import Appointment
from clinic.db import execute, fetch_value
from clinic.notifications.store.reminders import agenda_key, reminder_key

_CLINIC_NAMED = "SELECT id FROM clinics WHERE name = %(name)s LIMIT 1"
_FORGET_ATTENDANCE = "DELETE FROM appointment_history WHERE appointment_id = %(id)s AND action = 'attendance'"


def clinic_exists(session: Session, *, name: str) -> bool:
    return fetch_value(session, _CLINIC_NAMED, {"name": name}) is not None


def latest_ended(
    session: Session, *, doctor_id: int, after: datetime, before: datetime, limit: int
) -> list[Appointment]:
    """The doctor's latest `limit` appointments that ended in (after, before), latest first."""
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.doctor_id == doctor_id, Appointment.ends_at < before, Appointment.ends_at > after)
            .order_by(Appointment.starts_at.desc())
            .limit(limit)
        )
    )


def forget_attendance(session: Session, *, appointment_id: int) -> None:
    """Delete the appointment's attendance history rows."""
    execute(session, _FORGET_ATTENDANCE, {"id": appointment_id})


def completed_visits(session: Session, *, patient_id: int, before: datetime) -> list[Appointment]:
    """The patient's completed appointments that ended before `before`, in start order."""
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.patient_id == patient_id, Appointment.status == "completed", Appointment.ends_at < before
            )
            .order_by(Appointment.starts_at)
        )
    )


# The reminders and agendas the scheduler's first sweep would find (the notifications' reminder sweep, same
# keys), stored as already sent: a demo that "has been running" sent them long ago, and a fresh start sends
# nothing at once.
_SENT_REMINDERS = f"""
INSERT INTO deliveries (key, kind, appointment_id, recipient_id, details, status)
SELECT {reminder_key("a.id", "o.off", "a.starts_at")}, 'reminder',
       a.id, a.patient_id, jsonb_build_object('offset', o.off, 'starts_at', a.starts_at), 'sent'
FROM appointments a
JOIN services s ON s.id = a.service_id
CROSS JOIN LATERAL unnest(COALESCE(s.reminder_offsets_minutes, CAST(%(offsets)s AS int[]))) AS o(off)
WHERE a.status = 'booked' AND a.starts_at > %(now)s
  AND a.starts_at - make_interval(mins => o.off) <= %(now)s
ON CONFLICT (key) DO NOTHING
"""
_SENT_AGENDAS = f"""
INSERT INTO deliveries (key, kind, doctor_id, recipient_id, details, status)
SELECT {agenda_key("d.id", "day.day")}, 'agenda', d.id, d.user_id, jsonb_build_object('day', day.day), 'sent'
FROM doctors d JOIN clinics c ON c.id = d.clinic_id
CROSS JOIN LATERAL (SELECT CAST(timezone(c.timezone, CAST(%(now)s AS timestamptz)) AS date) AS day,
                           CAST(timezone(c.timezone, CAST(%(now)s AS timestamptz)) AS time) AS clock) day
WHERE day.clock >= make_time(%(hour)s, 0, 0)
ON CONFLICT (key) DO NOTHING
"""

# ... and the reminder sweeps have run up to `now` (they hand over only what falls due from then on).
_SWEPT = """
INSERT INTO reminder_sweeps (channel, swept_at) VALUES ('email', %(now)s), ('sms', %(now)s)
ON CONFLICT (channel) DO UPDATE SET swept_at = EXCLUDED.swept_at
"""


def mark_due_as_sent(session: Session, *, now: datetime, offsets: list[int], agenda_hour: int) -> None:
    """Store every reminder and today's agenda already due at `now` as sent, and the reminder sweeps as run."""
    execute(session, _SENT_REMINDERS, {"now": now, "offsets": offsets})
    execute(session, _SWEPT, {"now": now})
    execute(session, _SENT_AGENDAS, {"now": now, "hour": agenda_hour})
