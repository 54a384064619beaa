"""The no-show rule's SQL: the sweep that marks unattended appointments, and the flag for patients who keep
missing (NO_SHOWS_TO_FLAG within NO_SHOW_WINDOW_DAYS days), written once for the sweep and the follow-up of a
no-show recorded by hand. The change itself goes through the appointments store's one writer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.appointments.store import EVENT_PAYLOAD, changed_row, record_change
from clinic.db import execute, fetch_value
from clinic.outbox.store import enqueue_deliveries
from clinic.topics import Topic

# --- the rule ------------------------------------------------------------------------------------

NO_SHOWS_TO_FLAG = 3
NO_SHOW_WINDOW_DAYS = 90


def flag_repeat_no_shows_sql(patients: str, *, also_counted: str = "0") -> str:
    """An UPDATE flagging for staff the patients (ids selected by `patients`) whose no-shows in the last
    NO_SHOW_WINDOW_DAYS days reach NO_SHOWS_TO_FLAG: the rule, written once. `also_counted`: SQL over `u`
    counting no-shows the statement's snapshot does not see yet (rows it marks itself)."""
    return f"""UPDATE users u SET no_show_flagged_at = %(now)s
WHERE u.id IN ({patients}) AND u.no_show_flagged_at IS NULL
  AND (SELECT count(*) FROM appointments x WHERE x.patient_id = u.id AND x.status = 'no_show'
         AND x.starts_at > %(now)s - interval '{NO_SHOW_WINDOW_DAYS} days') + ({also_counted}) >= {NO_SHOWS_TO_FLAG}"""


_FLAG_ONE = flag_repeat_no_shows_sql("%(patient_id)s")


def flag_repeat_no_shows(session: Session, *, patient_id: int, now: datetime) -> bool:
    """Flag the patient for staff when their no-shows make the rule's count; whether it did."""
    return execute(session, _FLAG_ONE, {"patient_id": patient_id, "now": now}) > 0


# Marks, records (history, outbox event like a manual no-show), schedules the follow-up and flags patients
# with repeated no-shows: one statement. CTEs share one snapshot, so the count of earlier no-shows excludes
# the rows being marked; they are added explicitly.
_NO_SHOWS = f"""
WITH marked AS ({
    changed_row(
        "status = 'no_show'",
        "c.id = a.clinic_id AND c.noshow_processing AND a.status = 'booked' AND a.starts_at < %(now)s "
        "AND a.ends_at <= %(now)s - make_interval(mins => %(grace)s)",
        source="clinics c",
    )
}),
{
    record_change(
        "marked",
        action="attendance",
        topic=Topic.ATTENDANCE,
        actor="NULL",
        details="jsonb_build_object('status', 'no_show', 'cause', 'system')",
        payload=f"{EVENT_PAYLOAD}, 'status', 'no_show', 'cause', 'system')",
    )
},
flag AS ({
    flag_repeat_no_shows_sql(
        "SELECT patient_id FROM marked", also_counted="SELECT count(*) FROM marked m WHERE m.patient_id = u.id"
    )
}),
ins AS (
  INSERT INTO deliveries (key, kind, appointment_id, recipient_id)
  SELECT 'noshow:' || id, 'noshow', id, patient_id FROM marked
  ON CONFLICT (key) DO NOTHING
  RETURNING id, CAST(NULL AS timestamptz) AS expires
),
{enqueue_deliveries(Topic.DELIVERIES_DUE)}"""


def mark_no_shows(session: Session, *, now: datetime, grace_minutes: int) -> int:
    """Mark the booked appointments that ended `grace_minutes` ago unattended (clinics that process no-shows),
    with their history, events, follow-up deliveries and flags; how many follow-ups it scheduled."""
    return fetch_value(session, _NO_SHOWS, {"now": now, "grace": grace_minutes})
