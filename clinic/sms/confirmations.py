"""What the front desk sees of the patients' answers: the appointments of a day with no reply yet."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic.appointments import views
from clinic.availability.service import zone
from clinic.errors import NotFound
from clinic.scheduling.models import Clinic


@dataclass
class NoReply:
    day: date
    clinic_id: int
    timezone: str
    items: list[views.AppointmentDetails]
    phones: dict[int, str | None]
    sms_sent: set[int]


_CONTACT = text("""
    SELECT a.id, u.phone,
           EXISTS (SELECT 1 FROM deliveries d WHERE d.appointment_id = a.id AND d.kind = 'reminder_sms'
                     AND d.status = 'sent') AS texted
    FROM appointments a JOIN users u ON u.id = a.patient_id WHERE a.id = ANY(:ids)
""")


def no_reply(session: Session, *, clinic_id: int, day: date | None, now: datetime) -> NoReply:
    """Booked appointments on `day` (default: tomorrow in the clinic's zone) that nobody confirmed yet, in
    start order, with the patient's phone (to call them) and whether a reminder SMS went out."""
    clinic = session.get(Clinic, clinic_id)
    if clinic is None:
        raise NotFound("No such clinic.", fields={"clinic_id": "no such clinic"})
    if day is None:
        day = now.astimezone(zone(clinic.timezone)).date() + timedelta(days=1)
    items = views.unconfirmed(session, clinic_id=clinic_id, day=day)
    contacts = session.execute(_CONTACT, {"ids": [v.id for v in items]}).all() if items else []
    return NoReply(day, clinic_id, clinic.timezone, items, {r.id: r.phone for r in contacts},
                   {r.id for r in contacts if r.texted})

