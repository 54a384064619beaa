"""The no-show sweep (and the 3-no-shows-in-90-days flag). It takes the instant to run as of and returns how many
items it found. The other periodic rules live with their domain (scheduler/jobs.py lists them all)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic.settings import Settings

# Groups the delivery rows just inserted into outbox messages of up to 100 ids (soonest first); each
# message expires at its earliest appointment start (reminders are worthless after it). The same as
# clinic.notifications.store.reminders.enqueue_deliveries, which this copy gives way to when the no-show
# sweep moves to the appointments domain (importing it from here would close a cycle with
# clinic.notifications.events, which imports flag_repeat_no_shows).
_ENQUEUE = """
chunks AS (SELECT (row_number() OVER (ORDER BY expires, id) - 1) / 100 AS n, id, expires FROM ins),
msgs AS (
  INSERT INTO outbox (topic, payload)
  SELECT '{topic}', jsonb_strip_nulls(jsonb_build_object(
           'delivery_ids', jsonb_agg(id ORDER BY id), 'batch', true, 'expires_at', min(expires)))
  FROM chunks GROUP BY n RETURNING 1)
SELECT (SELECT count(*) FROM ins) AS found, (SELECT count(*) FROM msgs) AS messages
"""

# Marks, records (history, outbox event like a manual no-show), schedules the follow-up and flags
# patients with three no-shows in 90 days: one statement. CTEs share one snapshot, so the count of
# earlier no-shows excludes the rows being marked; they are added explicitly.
_NOSHOWS = text("""
WITH marked AS (
  UPDATE appointments a SET status = 'no_show', sequence = a.sequence + 1, updated_at = :now
  FROM clinics c
  WHERE c.id = a.clinic_id AND c.noshow_processing AND a.status = 'booked'
    AND a.starts_at < :now AND a.ends_at <= :now - make_interval(mins => :grace)
  RETURNING a.id, a.patient_id, a.ends_at
),
hist AS (
  INSERT INTO appointment_history (appointment_id, actor_id, action, at, details)
  SELECT id, NULL, 'attendance', :now, jsonb_build_object('status', 'no_show', 'cause', 'system') FROM marked
),
events AS (
  INSERT INTO outbox (topic, payload)
  SELECT 'appointment.attendance', jsonb_build_object('appointment_id', id, 'status', 'no_show', 'cause', 'system')
  FROM marked
),
flag AS (
  UPDATE users u SET no_show_flagged_at = :now
  WHERE u.id IN (SELECT patient_id FROM marked) AND u.no_show_flagged_at IS NULL
    AND (SELECT count(*) FROM appointments x WHERE x.patient_id = u.id AND x.status = 'no_show'
           AND x.starts_at > :now - interval '90 days')
      + (SELECT count(*) FROM marked m WHERE m.patient_id = u.id) >= 3
),
ins AS (
  INSERT INTO deliveries (key, kind, appointment_id, recipient_id)
  SELECT 'noshow:' || id, 'noshow', id, patient_id FROM marked
  ON CONFLICT (key) DO NOTHING
  RETURNING id, CAST(NULL AS timestamptz) AS expires
),
""" + _ENQUEUE.format(topic="deliveries.due"))

_FLAG_ONE = text("""
UPDATE users u SET no_show_flagged_at = :now
WHERE u.id = :patient_id AND u.no_show_flagged_at IS NULL
  AND (SELECT count(*) FROM appointments x WHERE x.patient_id = u.id AND x.status = 'no_show'
         AND x.starts_at > :now - interval '90 days') >= 3
""")


def no_shows(session: Session, *, now: datetime, settings: Settings) -> int:
    return session.execute(_NOSHOWS, {"now": now, "grace": settings.noshow_grace_minutes}).one()[0]


def flag_repeat_no_shows(session: Session, *, patient_id: int, now: datetime) -> bool:
    """Flag the patient for staff when this makes three no-shows in 90 days."""
    return session.execute(_FLAG_ONE, {"patient_id": patient_id, "now": now}).rowcount > 0
