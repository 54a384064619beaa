"""What the front desk sees of the patients' answers: the appointments of a day with no reply yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from clinic.appointments import views
from clinic.availability.service import zone
from clinic.errors import NotFound
from clinic.scheduling.models import Clinic
from clinic.sms import store


@dataclass
class NoReply:
    day: date
    clinic_id: int
    timezone: str
    items: list[views.AppointmentDetails]
    phones: dict[int, str | None]
    sms_sent: set[int]


def no_reply(session: Session, *, clinic_id: int, day: date | None, now: datetime) -> NoReply:
    """Booked appointments on `day` (default: tomorrow in the clinic's zone) that nobody confirmed yet, in
    start order, with the patient's phone (to call them) and whether a reminder SMS went out."""
    clinic = session.get(Clinic, clinic_id)
    if clinic is None:
        raise NotFound("No such clinic.", fields={"clinic_id": "no such clinic"})
    if day is None:
        day = now.astimezone(zone(clinic.timezone)).date() + timedelta(days=1)
    found = store.unconfirmed(session, clinic_id=clinic_id, day=day)
    return NoReply(
        day,
        clinic_id,
        clinic.timezone,
        [view for view, _, _ in found],
        {view.id: phone for view, phone, _ in found},
        {view.id for view, _, texted in found if texted},
    )
