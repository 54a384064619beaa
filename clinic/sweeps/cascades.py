"""Cancellation cascades: time off or a deactivated doctor cancels the overlapping future appointments.

Each appointment is cancelled in its own transaction through the appointments service (as SYSTEM), which
writes the history and the `appointment.cancelled` event that sends the METHOD:CANCEL email.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clinic.appointments import service as appointments
from clinic.appointments.models import Appointment
from clinic.identity.actor import SYSTEM
from clinic.scheduling.models import TimeOff
from clinic.topics import Topic

REASONS = {Topic.TIME_OFF_CREATED: "time_off", Topic.DOCTOR_DEACTIVATED: "doctor_deactivated"}


def targets(session: Session, *, topic: str, payload: dict, now: datetime) -> list[int]:
    """The future booked appointments the event cancels, in start order."""
    if topic == Topic.TIME_OFF_CREATED:
        ids = set(payload.get("appointment_ids") or [])
        time_off = session.get(TimeOff, payload["time_off_id"])
        if time_off is not None:
            ids.update(appointments.active_overlapping(session, doctor_id=time_off.doctor_id,
                                                       starts_at=time_off.starts_at, ends_at=time_off.ends_at))
        if not ids:
            return []
        stmt = select(Appointment.id).where(Appointment.id.in_(ids))
    elif topic == Topic.DOCTOR_DEACTIVATED:
        # A doctor reactivated before the cascade ran keeps their appointments.
        if session.scalar(text("SELECT active FROM doctors WHERE id = :d"), {"d": payload["doctor_id"]}):
            return []
        stmt = select(Appointment.id).where(Appointment.doctor_id == payload["doctor_id"])
    else:
        raise ValueError(f"no cascade for {topic!r}")
    stmt = stmt.where(Appointment.status == "booked", Appointment.starts_at > now).order_by(Appointment.starts_at)
    return list(session.scalars(stmt))


def cancel_one(session: Session, *, appointment_id: int, topic: str, now: datetime) -> bool:
    """Cancel one appointment as SYSTEM unless it already changed; True when cancelled now."""
    status = session.scalar(select(Appointment.status).where(Appointment.id == appointment_id).with_for_update())
    if status != "booked":
        return False
    appointments.cancel(session, actor=SYSTEM, appointment_id=appointment_id, reason=REASONS[topic], now=now)
    return True
