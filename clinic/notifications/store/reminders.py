"""The SQL of the due notifications the scheduler finds: appointment reminders (email and SMS) and doctors'
daily agendas (rules: clinic/notifications/reminders.py).

Each sweep is one set-based statement over indexed columns. It inserts the `deliveries` rows it finds due
(their unique keys make a repeated or concurrent sweep a no-op) and, in the same statement, the outbox
messages that carry them to the workers in groups of up to 100 (one provider batch call each). Statements use
psycopg's `%(name)s` placeholders and run through the platform helpers (clinic/db.py); topics come from
clinic.topics.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.db import fetch_value
from clinic.outbox.store import enqueue_deliveries
from clinic.topics import Topic


# The booked appointments with a reminder due at `now`: for each offset (the service's own, or the default
# ones), its moment has come, the start has not, and the moment came after the booking (or the move).
_DUE_REMINDERS = """
WITH due AS (
  SELECT a.id, a.patient_id, a.starts_at, o.off
  FROM appointments a
  JOIN services s ON s.id = a.service_id
  CROSS JOIN LATERAL unnest(COALESCE(s.reminder_offsets_minutes, CAST(%(offsets)s AS int[]))) AS o(off)
  WHERE a.status = 'booked'
    AND a.starts_at > %(now)s AND a.starts_at <= %(now)s + make_interval(mins => %(max_offset)s)
    AND a.starts_at - make_interval(mins => o.off) <= %(now)s
    AND a.starts_at - make_interval(mins => o.off) > a.scheduled_at
    {only}
),"""


def reminder_key(appointment: str, offset: str, starts_at: str) -> str:
    """SQL of a reminder's delivery key: one per (appointment, offset, start), so a move makes a new one."""
    return f"'reminder:' || {appointment} || ':' || {offset} || ':' || floor(extract(epoch FROM {starts_at}))::bigint"


def agenda_key(doctor: str, day: str) -> str:
    """SQL of a doctor's daily agenda's delivery key: one per (doctor, local day)."""
    return f"'agenda:' || {doctor} || ':' || {day}"


_REMINDERS = (
    _DUE_REMINDERS.format(only="")
    + f"""
ins AS (
  INSERT INTO deliveries (key, kind, appointment_id, recipient_id, details)
  SELECT {reminder_key("id", "off", "starts_at")}, 'reminder',
         id, patient_id, jsonb_build_object('offset', off, 'starts_at', starts_at)
  FROM due
  ON CONFLICT (key) DO NOTHING
  RETURNING id, CAST(details->>'starts_at' AS timestamptz) AS expires
),
"""
    + enqueue_deliveries(Topic.DELIVERIES_DUE)
)

# The same reminders by SMS, for patients with a phone who opted in: the email's key plus the channel,
# so exactly one row per (appointment, offset, start, channel) ever exists (clinic.sms.sender sends it).
_SMS_REMINDERS = (
    _DUE_REMINDERS.format(
        only="""
    AND EXISTS (SELECT 1 FROM users u WHERE u.id = a.patient_id AND u.sms_opt_in AND u.phone IS NOT NULL
                  AND u.is_active)"""
    )
    + f"""
ins AS (
  INSERT INTO deliveries (key, kind, appointment_id, recipient_id, details)
  SELECT {reminder_key("id", "off", "starts_at")} || ':' || 'sms',
         'reminder_sms', id, patient_id, jsonb_build_object('offset', off, 'starts_at', starts_at, 'channel', 'sms')
  FROM due
  ON CONFLICT (key) DO NOTHING
  RETURNING id, CAST(details->>'starts_at' AS timestamptz) AS expires
),
"""
    + enqueue_deliveries(Topic.SMS_DUE)
)

# The largest reminder offset of any service (or of the defaults): how far ahead the sweep looks.
_MAX_OFFSET = """
SELECT greatest(max(o), 0) FROM (
  SELECT unnest(CAST(%(offsets)s AS int[])) AS o
  UNION ALL SELECT unnest(reminder_offsets_minutes) FROM services WHERE reminder_offsets_minutes IS NOT NULL) x
"""

# Each doctor with appointments on their clinic's local day gets that day's agenda once the clinic's clock
# has passed `hour`.
_AGENDAS = f"""
WITH days AS (
  SELECT c.id AS clinic_id, c.timezone, CAST(timezone(c.timezone, CAST(%(now)s AS timestamptz)) AS date) AS day
  FROM clinics c
  WHERE CAST(timezone(c.timezone, CAST(%(now)s AS timestamptz)) AS time) >= make_time(%(hour)s, 0, 0)
),
due AS (
  SELECT d.id AS doctor_id, d.user_id, days.day
  FROM days JOIN doctors d ON d.clinic_id = days.clinic_id
  WHERE EXISTS (SELECT 1 FROM appointments a WHERE a.doctor_id = d.id AND a.status <> 'cancelled'
                  AND a.starts_at >= timezone(days.timezone, CAST(days.day AS timestamp))
                  AND a.starts_at < timezone(days.timezone, CAST(days.day + 1 AS timestamp)))
),
ins AS (
  INSERT INTO deliveries (key, kind, doctor_id, recipient_id, details)
  SELECT {agenda_key("doctor_id", "day")}, 'agenda', doctor_id, user_id, jsonb_build_object('day', day)
  FROM due
  ON CONFLICT (key) DO NOTHING
  RETURNING id, CAST(NULL AS timestamptz) AS expires
),
""" + enqueue_deliveries(Topic.DELIVERIES_DUE)


def max_reminder_offset(session: Session, *, default_offsets: list[int]) -> int:
    """The largest reminder offset in minutes, of the defaults or of any service's own."""
    return fetch_value(session, _MAX_OFFSET, {"offsets": default_offsets})


def insert_due_reminders(
    session: Session, *, now: datetime, default_offsets: list[int], max_offset: int, sms: bool = False
) -> int:
    """Insert the reminder deliveries due at `now` (by SMS: to patients who opted in) and their outbox
    messages; how many deliveries were new."""
    return fetch_value(
        session,
        _SMS_REMINDERS if sms else _REMINDERS,
        {"now": now, "offsets": default_offsets, "max_offset": max_offset},
    )


def insert_due_agendas(session: Session, *, now: datetime, hour: int) -> int:
    """Insert the daily-agenda deliveries due at `now` and their outbox messages; how many were new."""
    return fetch_value(session, _AGENDAS, {"now": now, "hour": hour})
