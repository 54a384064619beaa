"""Due notifications, found by the scheduler every minute: appointment reminders by email and by SMS, and
each doctor's daily agenda. Every sweep takes the instant to run as of and returns how many it found due.

Each is sent once: a delivery row's unique key stands for one email or SMS. The agenda sweep writes those rows
itself. The reminder sweeps hand over the reminders due since their previous run, in slices of 100, and the
worker that sends a slice writes its rows (`deliveries_of`): a sweep that finds 50,000 due writes 500 small
messages, not 50,000 rows. The statements are in clinic/notifications/store/reminders.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.notifications.store import reminders as store
from clinic.settings import Settings
from clinic.topics import Topic


def reminders(session: Session, *, now: datetime, settings: Settings) -> int:
    """Reminder emails: one per appointment and offset before its start (the service's offsets, or
    REMINDER_OFFSETS_MINUTES), once that moment has come, unless it came before the booking."""
    return _reminders(session, now=now, settings=settings, sms=False)


def sms_reminders(session: Session, *, now: datetime, settings: Settings) -> int:
    """The same reminders by SMS, to patients who opted in (only when the SMS channel is configured)."""
    if not settings.sms_enabled:
        return 0
    return _reminders(session, now=now, settings=settings, sms=True)


def _reminders(session: Session, *, now: datetime, settings: Settings, sms: bool) -> int:
    offsets = list(settings.reminder_offsets_minutes)
    max_offset = store.max_reminder_offset(session, default_offsets=offsets)
    return store.hand_over_due_reminders(session, now=now, default_offsets=offsets, max_offset=max_offset, sms=sms)


def deliveries_of(session: Session, *, topic: str, payload: dict) -> list[int]:
    """The delivery ids a sweep's message stands for. A reminder sweep's message describes a slice of reminders:
    those still due (not cancelled, moved or started since) get their rows here, each created once. Other
    sweeps' messages (and reminder messages from before migration 0021) list the rows."""
    if topic not in (Topic.REMINDERS_DUE, Topic.SMS_REMINDERS_DUE):
        return payload["delivery_ids"]
    return store.reminder_deliveries(session, slice_=payload, sms=topic == Topic.SMS_REMINDERS_DUE)


def agendas(session: Session, *, now: datetime, settings: Settings) -> int:
    """Each doctor's agenda of the day, once their clinic's local time passes AGENDA_HOUR (if they have
    appointments that day)."""
    return store.insert_due_agendas(session, now=now, hour=settings.agenda_hour)
