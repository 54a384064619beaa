"""No-shows: the scheduler's sweep that marks them, and the rule that flags a patient who keeps missing.

A booked appointment of a clinic that processes no-shows, ended `noshow_grace_minutes` ago without its
attendance recorded, is marked `no_show` by the system: the change is recorded like any other (sequence,
history, `appointment.attendance` outbox message with cause "system"), its follow-up email is scheduled,
and its patient flagged when the rule holds, all in one statement (clinic.appointments.store_no_shows).

The rule: NO_SHOWS_TO_FLAG no-shows within NO_SHOW_WINDOW_DAYS days flag the patient for staff. It is
applied by the sweep and, for a no-show recorded by a doctor or the desk, by the follow-up of its event
(clinic.notifications.events).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.appointments import store_no_shows as store
from clinic.appointments.store_no_shows import NO_SHOW_WINDOW_DAYS, NO_SHOWS_TO_FLAG
from clinic.settings import Settings

__all__ = ["NO_SHOW_WINDOW_DAYS", "NO_SHOWS_TO_FLAG", "flag_repeat_no_shows", "no_shows"]


def no_shows(session: Session, *, now: datetime, settings: Settings) -> int:
    """The sweep: mark what is due as of `now`; how many follow-ups it scheduled."""
    return store.mark_no_shows(session, now=now, grace_minutes=settings.noshow_grace_minutes)


def flag_repeat_no_shows(session: Session, *, patient_id: int, now: datetime) -> bool:
    """Flag the patient for staff when this makes NO_SHOWS_TO_FLAG no-shows in NO_SHOW_WINDOW_DAYS days."""
    return store.flag_repeat_no_shows(session, patient_id=patient_id, now=now)
