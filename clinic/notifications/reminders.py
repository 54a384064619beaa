"""Due notifications, found by the scheduler every minute: appointment reminders by email and by SMS, and
each doctor's daily agenda. Every function takes the instant to run as of and returns how many deliveries
it found due (each is sent once: their unique keys make a repeated or concurrent sweep a no-op; the
statements are in clinic/notifications/store/reminders.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.notifications.store import reminders as store
from clinic.settings import Settings


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
    return store.insert_due_reminders(session, now=now, default_offsets=offsets, max_offset=max_offset, sms=sms)


def agendas(session: Session, *, now: datetime, settings: Settings) -> int:
    """Each doctor's agenda of the day, once their clinic's local time passes AGENDA_HOUR (if they have
    appointments that day)."""
    return store.insert_due_agendas(session, now=now, hour=settings.agenda_hour)
