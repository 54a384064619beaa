"""Cancellation cascades: time off or a deactivated doctor cancels the overlapping future appointments.

Run by a worker on `time_off.created` and `doctor.deactivated` (workers/cascade_actors.py). Each appointment
is cancelled in its own transaction through the appointments service (as SYSTEM), which writes the history
and the `appointment.cancelled` event that sends the METHOD:CANCEL email.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.appointments import service as appointments
from clinic.identity.actor import SYSTEM
from clinic.scheduling import store
from clinic.scheduling.models import TimeOff
from clinic.topics import Topic

REASONS = {Topic.TIME_OFF_CREATED: "time_off", Topic.DOCTOR_DEACTIVATED: "doctor_deactivated"}


def targets(session: Session, *, topic: str, payload: dict, now: datetime) -> list[int]:
    """The future booked appointments the event cancels, in start order."""
    if topic == Topic.TIME_OFF_CREATED:
        # Those the event listed, and any booked since that overlaps the time off (if it still exists).
        ids = set(payload.get("appointment_ids") or [])
        time_off = session.get(TimeOff, payload["time_off_id"])
        if time_off is not None:
            ids |= set(
                store.booked_overlapping(
                    session, doctor_id=time_off.doctor_id, starts_at=time_off.starts_at, ends_at=time_off.ends_at
                )
            )
        if not ids:
            return []
        return store.booked_after(session, now=now, ids=sorted(ids))
    if topic == Topic.DOCTOR_DEACTIVATED:
        # A doctor reactivated before the cascade ran keeps their appointments.
        if store.doctor_active(session, payload["doctor_id"]):
            return []
        return store.booked_after(session, now=now, doctor_id=payload["doctor_id"])
    raise ValueError(f"no cascade for {topic!r}")


def cancel_one(session: Session, *, appointment_id: int, topic: str, now: datetime) -> bool:
    """Cancel one appointment as SYSTEM unless it already changed; True when cancelled now."""
    if store.lock_appointment_status(session, appointment_id) != "booked":
        return False
    appointments.cancel(session, actor=SYSTEM, appointment_id=appointment_id, reason=REASONS[topic], now=now)
    return True
