"""The sweeps. Every function takes the instant to run as of and returns how many items it found."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic.appointments.no_shows import no_shows
from clinic.settings import Settings
from clinic.waitlist.service import HOLD_EXPIRED_PAYLOAD

# Groups the delivery rows just inserted into outbox messages of up to 100 ids (soonest first); each
# message expires at its earliest appointment start (reminders are worthless after it).
_ENQUEUE = """
chunks AS (SELECT (row_number() OVER (ORDER BY expires, id) - 1) / 100 AS n, id, expires FROM ins),
msgs AS (
  INSERT INTO outbox (topic, payload)
  SELECT '{topic}', jsonb_strip_nulls(jsonb_build_object(
           'delivery_ids', jsonb_agg(id ORDER BY id), 'batch', true, 'expires_at', min(expires)))
  FROM chunks GROUP BY n RETURNING 1)
SELECT (SELECT count(*) FROM ins) AS found, (SELECT count(*) FROM msgs) AS messages
"""

_DUE_REMINDERS = """
WITH due AS (
  SELECT a.id, a.patient_id, a.starts_at, o.off
  FROM appointments a
  JOIN services s ON s.id = a.service_id
  CROSS JOIN LATERAL unnest(COALESCE(s.reminder_offsets_minutes, CAST(:offsets AS int[]))) AS o(off)
  WHERE a.status = 'booked'
    AND a.starts_at > :now AND a.starts_at <= :now + make_interval(mins => :max_offset)
    AND a.starts_at - make_interval(mins => o.off) <= :now
    AND a.starts_at - make_interval(mins => o.off) > a.scheduled_at
    {only}
),"""

_REMINDERS = text(_DUE_REMINDERS.format(only="") + """
ins AS (
  INSERT INTO deliveries (key, kind, appointment_id, recipient_id, details)
  SELECT 'reminder:' || id || ':' || off || ':' || floor(extract(epoch FROM starts_at))::bigint, 'reminder',
         id, patient_id, jsonb_build_object('offset', off, 'starts_at', starts_at)
  FROM due
  ON CONFLICT (key) DO NOTHING
  RETURNING id, CAST(details->>'starts_at' AS timestamptz) AS expires
),
""" + _ENQUEUE.format(topic="deliveries.due"))

# The same reminders by SMS, for patients with a phone who opted in: the email's key plus the channel,
# so exactly one row per (appointment, offset, start, channel) ever exists (clinic.sms.sender sends it).
_SMS_REMINDERS = text(_DUE_REMINDERS.format(only="""
    AND EXISTS (SELECT 1 FROM users u WHERE u.id = a.patient_id AND u.sms_opt_in AND u.phone IS NOT NULL
                  AND u.is_active)""") + """
ins AS (
  INSERT INTO deliveries (key, kind, appointment_id, recipient_id, details)
  SELECT 'reminder:' || id || ':' || off || ':' || floor(extract(epoch FROM starts_at))::bigint || ':' || 'sms',
         'reminder_sms', id, patient_id, jsonb_build_object('offset', off, 'starts_at', starts_at, 'channel', 'sms')
  FROM due
  ON CONFLICT (key) DO NOTHING
  RETURNING id, CAST(details->>'starts_at' AS timestamptz) AS expires
),
""" + _ENQUEUE.format(topic="sms.due"))

_MAX_OFFSET = text("""
SELECT greatest(max(o), 0) FROM (
  SELECT unnest(CAST(:offsets AS int[])) AS o
  UNION ALL SELECT unnest(reminder_offsets_minutes) FROM services WHERE reminder_offsets_minutes IS NOT NULL) x
""")

_AGENDAS = text("""
WITH days AS (
  SELECT c.id AS clinic_id, c.timezone, CAST(timezone(c.timezone, CAST(:now AS timestamptz)) AS date) AS day
  FROM clinics c
  WHERE CAST(timezone(c.timezone, CAST(:now AS timestamptz)) AS time) >= make_time(:hour, 0, 0)
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
  SELECT 'agenda:' || doctor_id || ':' || day, 'agenda', doctor_id, user_id, jsonb_build_object('day', day)
  FROM due
  ON CONFLICT (key) DO NOTHING
  RETURNING id, CAST(NULL AS timestamptz) AS expires
),
""" + _ENQUEUE.format(topic="deliveries.due"))

_HOLDS = text("""
WITH expired AS (
  UPDATE slot_holds SET status = 'expired' WHERE status = 'active' AND expires_at <= :now
  RETURNING id, entry_id, doctor_id, service_id, starts_at, ends_at, source_appointment_id
),
reopened AS (
  UPDATE waitlist_entries e SET status = 'waiting' FROM expired x WHERE e.id = x.entry_id AND e.status = 'offered'
),
events AS (
  INSERT INTO outbox (topic, payload)
  SELECT 'waitlist.hold_expired', """ + HOLD_EXPIRED_PAYLOAD + """
  FROM expired RETURNING 1
)
SELECT count(*) FROM events
""")

# Folds each doctor's slot-change rows (migration 0017) into one carrying their summed weight: the doctor's
# slots version is unchanged, and reading it stays a few index entries. Only rows this statement deleted
# are summed, so a concurrent fold or change is never lost nor counted twice.
_SLOT_CHANGES = text("""
WITH many AS (SELECT doctor_id FROM doctor_slot_changes GROUP BY doctor_id HAVING count(*) > 1),
gone AS (
  DELETE FROM doctor_slot_changes c USING many m WHERE c.doctor_id = m.doctor_id RETURNING c.doctor_id, c.weight
),
folded AS (
  INSERT INTO doctor_slot_changes (doctor_id, weight) SELECT doctor_id, sum(weight) FROM gone GROUP BY doctor_id
  RETURNING 1
)
SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded)
""")


def reminders(session: Session, *, now: datetime, settings: Settings) -> int:
    offsets = list(settings.reminder_offsets_minutes)
    max_offset = session.execute(_MAX_OFFSET, {"offsets": offsets}).scalar_one()
    return session.execute(_REMINDERS, {"now": now, "offsets": offsets, "max_offset": max_offset}).one()[0]


def sms_reminders(session: Session, *, now: datetime, settings: Settings) -> int:
    """Reminder SMS (only when the SMS channel is configured)."""
    if not settings.sms_enabled:
        return 0
    offsets = list(settings.reminder_offsets_minutes)
    max_offset = session.execute(_MAX_OFFSET, {"offsets": offsets}).scalar_one()
    return session.execute(_SMS_REMINDERS, {"now": now, "offsets": offsets, "max_offset": max_offset}).one()[0]


def agendas(session: Session, *, now: datetime, settings: Settings) -> int:
    return session.execute(_AGENDAS, {"now": now, "hour": settings.agenda_hour}).one()[0]


def expired_holds(session: Session, *, now: datetime, settings: Settings) -> int:
    return session.execute(_HOLDS, {"now": now}).scalar_one()


def slot_changes(session: Session, *, now: datetime, settings: Settings) -> int:
    """Fold each doctor's slot-change rows into one; returns how many rows went."""
    return session.execute(_SLOT_CHANGES).scalar_one()


SWEEPS = {"reminders": reminders, "sms_reminders": sms_reminders, "agendas": agendas, "no_shows": no_shows,
          "expired_holds": expired_holds, "slot_changes": slot_changes}
