"""The manage links' SQL: the link rows, what a link opens (an appointment or a waitlist hold, locked when it
is about to change), and what its page shows of the clinic, the doctor and the service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.appointments.models import Appointment
from clinic.db import Row, fetch_one, fetch_value
from clinic.manage.models import ManageLink
from clinic.waitlist.models import SlotHold

# --- links and what they open -----------------------------------------------------------------------------------

_APPOINTMENT_END = "SELECT ends_at FROM appointments WHERE id = %(id)s"
_HOLD_EXPIRY = "SELECT expires_at FROM slot_holds WHERE id = %(id)s"


def appointment_end(session: Session, *, appointment_id: int) -> datetime | None:
    return fetch_value(session, _APPOINTMENT_END, {"id": appointment_id})


def hold_expiry(session: Session, *, hold_id: int) -> datetime | None:
    return fetch_value(session, _HOLD_EXPIRY, {"id": hold_id})


def link_by_hash(session: Session, *, token_hash: bytes) -> ManageLink | None:
    return session.scalar(select(ManageLink).where(ManageLink.token_hash == token_hash))


def appointment(session: Session, *, appointment_id: int, for_update: bool = False) -> Appointment | None:
    """The appointment (its row locked until commit with `for_update`)."""
    stmt = select(Appointment).where(Appointment.id == appointment_id)
    return session.scalar(stmt.with_for_update() if for_update else stmt)


def hold(session: Session, *, hold_id: int, for_update: bool = False) -> SlotHold | None:
    """The waitlist hold (its row locked until commit with `for_update`)."""
    stmt = select(SlotHold).where(SlotHold.id == hold_id)
    return session.scalar(stmt.with_for_update() if for_update else stmt)


# --- what a link's page shows ---------------------------------------------------------------------------------------

_PLACE = "SELECT name, address FROM clinics WHERE id = %(id)s"
_LOCALE = "SELECT locale FROM users WHERE id = %(id)s"
_OFFERED = """
    SELECT u.full_name AS doctor_name, d.clinic_id, c.timezone, c.name AS clinic_name, c.address AS clinic_address,
           s.name AS service_name
    FROM doctors d JOIN users u ON u.id = d.user_id JOIN clinics c ON c.id = d.clinic_id
    LEFT JOIN services s ON s.id = %(service_id)s
    WHERE d.id = %(doctor_id)s"""


def place(session: Session, *, clinic_id: int) -> tuple[str, str | None]:
    """The clinic's name and address."""
    return fetch_one(session, _PLACE, {"id": clinic_id})


def locale_of(session: Session, *, user_id: int) -> str | None:
    return fetch_value(session, _LOCALE, {"id": user_id})


def offered(session: Session, *, doctor_id: int, service_id: int) -> Row:
    """What an offer's page names: `doctor_name`, `clinic_id`, `timezone`, `clinic_name`, `clinic_address` of
    the doctor and their clinic, and the `service_name`."""
    return fetch_one(session, _OFFERED, {"doctor_id": doctor_id, "service_id": service_id})
