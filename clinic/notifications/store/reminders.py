"""The SQL of the due notifications the scheduler finds: appointment reminders (email and SMS) and doctors'
daily agendas (rules: clinic/notifications/reminders.py).

Each sweep is one set-based statement over indexed columns. The agenda sweep inserts the `deliveries` rows it
finds due (their unique keys make a repeated or concurrent sweep a no-op) and, in the same statement, the
outbox messages that carry them to the workers in groups of up to 100 (one provider batch call each). The
reminder sweeps, which can find tens of thousands at once, write only those messages, each describing a slice
of the reminders due since their previous sweep; the worker that sends a message writes its delivery rows
first. Statements use
psycopg's `%(name)s` placeholders and run through the platform helpers (clinic/db.py); topics come from
clinic.topics.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from clinic.db import fetch_all, fetch_value
from clinic.outbox.store import enqueue_deliveries
from clinic.topics import Topic


# How late a booking may commit after the instant it was made (its `scheduled_at`) and still be found by the
# sweep that follows: a booking in flight while a sweep ran is invisible to it, so the next sweep looks again
# at bookings made this long before the previous one. Far above any web transaction here and any clock
# difference between machines; a reminder found twice is still sent once.
LATE_COMMIT_MINUTES = 10
# Reminders per message (a worker sends them in provider batch calls of 100): few enough messages that
# handing them to the queue costs little, small enough that workers share a sweep's work.
SLICE = 500

# The reminders (appointment, offset) of the booked appointments starting in (%(from)s, %(to)s] that are due
# as of %(as_of)s and new since the previous sweep (%(after)s; NULL: none to go by). Due: for each offset (the
# service's own, or the default ones) the moment has come, the start has not, and the moment came after the
# booking (or the move). New: the moment passed after the previous sweep, or the booking was made shortly
# before it and may have committed after it (LATE_COMMIT_MINUTES; the sweep skips those whose delivery a
# worker already made). One index range scan of ix_appointments_starts_booked. Run by the sweep over the
# whole window and by a worker over its slice.
_DUE_SINCE = """
  SELECT a.id, a.patient_id, a.starts_at, o.off, {key} AS key
  FROM appointments a
  JOIN services s ON s.id = a.service_id
  CROSS JOIN LATERAL unnest(COALESCE(s.reminder_offsets_minutes, CAST(%(offsets)s AS int[]))) AS o(off)
  WHERE a.status = 'booked'
    AND a.starts_at > %(as_of)s AND a.starts_at > %(from)s AND a.starts_at <= %(to)s
    AND a.starts_at - make_interval(mins => o.off) <= %(as_of)s
    AND a.starts_at - make_interval(mins => o.off) > a.scheduled_at
    AND (CAST(%(after)s AS timestamptz) IS NULL
         OR a.starts_at - make_interval(mins => o.off) > %(after)s
         OR (a.scheduled_at > CAST(%(after)s AS timestamptz) - make_interval(mins => %(late_minutes)s){not_made})){only}"""

_SMS_OPT_IN = """
    AND EXISTS (SELECT 1 FROM users u WHERE u.id = a.patient_id AND u.sms_opt_in AND u.phone IS NOT NULL
                  AND u.is_active)"""

_LAST_SWEPT = "SELECT swept_at FROM reminder_sweeps WHERE channel = %(channel)s"

# The sweep writes no row per reminder. It cuts the due reminders, soonest first, into slices of SLICE and
# writes one outbox message per slice that describes it (the starts after the previous slice's last up to
# its own last, the sweep's instant and the previous one), each expiring at its last start (a reminder is
# never sent after its start: the renderers skip it); and it moves the channel's mark to now. A worker runs
# the same query over its slice and makes those deliveries (reminders sharing a start stay in one slice).
# Its cost: the range scan, one sorted array of the starts and a few small rows; about a count of the due
# reminders, whatever their number.
_SWEEP = """
WITH due AS ({due}),
starts AS (SELECT array_agg(starts_at ORDER BY starts_at) AS s FROM due),
msgs AS (
  INSERT INTO outbox (topic, payload)
  SELECT %(topic)s, jsonb_build_object(
           'from', CASE k WHEN 0 THEN CAST(%(as_of)s AS timestamptz) ELSE s[k * %(slice)s] END,
           'to', s[least((k + 1) * %(slice)s, cardinality(s))],
           'as_of', CAST(%(as_of)s AS timestamptz), 'after', CAST(%(after)s AS timestamptz),
           'offsets', CAST(%(offsets)s AS int[]), 'found', least((k + 1) * %(slice)s, cardinality(s)) - k * %(slice)s,
           'batch', true, 'expires_at', s[least((k + 1) * %(slice)s, cardinality(s))])
  FROM starts, generate_series(0, (cardinality(s) - 1) / %(slice)s) AS k
  RETURNING CAST(payload->>'found' AS int) AS found),
mark AS (
  INSERT INTO reminder_sweeps (channel, swept_at) VALUES (%(channel)s, %(as_of)s)
  ON CONFLICT (channel) DO UPDATE SET swept_at = EXCLUDED.swept_at
  RETURNING 1)
SELECT coalesce(sum(found), 0) FROM msgs
"""

# A worker's half: the delivery rows of its slice's reminders (still due, by the same query, as of the
# sweep's instant), each created once by its unique key, and the ids of all of them, new or already there (a
# retried message, or a reminder handed over by two sweeps, finds the rows of the first time).
_DELIVERIES = """
WITH due AS ({due}),
ins AS (
  INSERT INTO deliveries (key, kind, appointment_id, recipient_id, details)
  SELECT key, %(kind)s, id, patient_id, jsonb_build_object('offset', off, 'starts_at', starts_at){channel}
  FROM due ORDER BY key
  ON CONFLICT (key) DO NOTHING
  RETURNING id
)
SELECT id FROM ins UNION SELECT d.id FROM deliveries d JOIN due ON d.key = due.key
"""


def reminder_key(appointment: str, offset: str, starts_at: str) -> str:
    """SQL of a reminder's delivery key: one per (appointment, offset, start), so a move makes a new one."""
    return f"'reminder:' || {appointment} || ':' || {offset} || ':' || floor(extract(epoch FROM {starts_at}))::bigint"


def agenda_key(doctor: str, day: str) -> str:
    """SQL of a doctor's daily agenda's delivery key: one per (doctor, local day)."""
    return f"'agenda:' || {doctor} || ':' || {day}"


_KEY = reminder_key("a.id", "o.off", "a.starts_at")
_SMS_KEY = _KEY + " || ':sms'"
# SMS: the email's key plus the channel, so exactly one row per (appointment, offset, start, channel) ever
# exists (clinic.sms.sender sends it).
_NOT_MADE = "\n              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.key = {key})"
_SWEEPS = {
    False: _SWEEP.format(due=_DUE_SINCE.format(key=_KEY, not_made=_NOT_MADE.format(key=_KEY), only="")),
    True: _SWEEP.format(due=_DUE_SINCE.format(key=_SMS_KEY, not_made=_NOT_MADE.format(key=_SMS_KEY), only=_SMS_OPT_IN)),
}
_DELIVERIES_BY_CHANNEL = {
    False: _DELIVERIES.format(due=_DUE_SINCE.format(key=_KEY, not_made="", only=""), channel=""),
    True: _DELIVERIES.format(
        due=_DUE_SINCE.format(key=_SMS_KEY, not_made="", only=_SMS_OPT_IN),
        channel=" || jsonb_build_object('channel', 'sms')",
    ),
}


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


def hand_over_due_reminders(
    session: Session, *, now: datetime, default_offsets: list[int], max_offset: int, sms: bool = False
) -> int:
    """Enqueue the reminders due since the channel's last sweep (by SMS: to patients who opted in), as slices
    for the workers, and mark the channel swept as of `now`; how many reminders were handed over."""
    channel = "sms" if sms else "email"
    last = fetch_value(session, _LAST_SWEPT, {"channel": channel})
    return fetch_value(
        session,
        _SWEEPS[sms],
        {
            "as_of": now,
            # No previous sweep, or one ahead of `now` (a clock set back): every reminder due now, once more.
            "after": last if last is not None and last <= now else None,
            "from": now,
            "to": now + timedelta(minutes=max_offset),
            "offsets": default_offsets,
            "late_minutes": LATE_COMMIT_MINUTES,
            "slice": SLICE,
            "channel": channel,
            "topic": str(Topic.SMS_REMINDERS_DUE if sms else Topic.REMINDERS_DUE),
        },
    )


def reminder_deliveries(session: Session, *, slice_: dict, sms: bool = False) -> list[int]:
    """The delivery ids of a handed-over slice's reminders that are still due as of the sweep's instant,
    creating the rows not made yet."""
    rows = fetch_all(
        session,
        _DELIVERIES_BY_CHANNEL[sms],
        {
            "from": datetime.fromisoformat(slice_["from"]),
            "to": datetime.fromisoformat(slice_["to"]),
            "as_of": datetime.fromisoformat(slice_["as_of"]),
            "after": datetime.fromisoformat(slice_["after"]) if slice_.get("after") else None,
            "offsets": slice_["offsets"],
            "late_minutes": LATE_COMMIT_MINUTES,
            "kind": "reminder_sms" if sms else "reminder",
        },
    )
    return sorted(row.id for row in rows)


def insert_due_agendas(session: Session, *, now: datetime, hour: int) -> int:
    """Insert the daily-agenda deliveries due at `now` and their outbox messages; how many were new."""
    return fetch_value(session, _AGENDAS, {"now": now, "hour": hour})
