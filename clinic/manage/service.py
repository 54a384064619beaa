"""What a manage link lets its holder do, through the same functions as the patient's own requests.

The holder acts as the appointment's patient (an `Actor` with the patient's id and role), so moving and
cancelling follow exactly the patient's rules (clinic.appointments.service); nothing else is reachable: a
token resolves to its one appointment (or waitlist hold) and every other token, or a dead one, is the
same NotFound. Every use is written to the appointment's history with the channel that carried the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from clinic.appointments import service as appointments
from clinic.appointments.models import AppointmentHistory
from clinic.appointments.views import AppointmentDetails
from clinic.availability.service import Slots, zone
from clinic.availability.service import slots as free_slots
from clinic.calendars import invites
from clinic.calendars import links as calendar_links
from clinic.clock import utcnow
from clinic.errors import NotFound
from clinic.identity.actor import Actor
from clinic.manage import store, tokens
from clinic.manage.tokens import Resolved
from clinic.settings import Settings
from clinic.waitlist.service import settle_holds

OPENED, ACCEPTED = "link_opened", "offer_accepted"


class NoSuchLink(NotFound):
    code = "not_found"
    message = "This link is not valid: it has expired or is wrong."


@dataclass
class ManageView:
    """What the page behind a link shows: the appointment (or the offered slot) and what may be done now."""

    kind: str  # "appointment" or "offer"
    appointment: AppointmentDetails | None
    starts_at: datetime
    ends_at: datetime
    timezone: str
    doctor_name: str
    service_name: str
    clinic_name: str
    clinic_address: str | None
    change_until: datetime | None = None
    can_change: bool = False
    can_cancel: bool = False
    late_if_cancelled: bool = False
    hold_expires_at: datetime | None = None
    google_url: str | None = None
    outlook_url: str | None = None
    manage_token: str | None = None  # after accepting an offer: the new appointment's own link


def _patient(patient_id: int) -> Actor:
    return Actor(user_id=patient_id, role="patient")


def _open(
    session: Session, token: str, settings: Settings, now: datetime, *, offer: bool = False, for_update: bool = False
) -> Resolved:
    find = tokens.resolve_offer if offer else tokens.resolve
    found = find(session, token, secret=settings.jwt_secret_key, now=now, for_update=for_update)
    if found is None:
        raise NoSuchLink()
    return found


def _note(session: Session, *, appointment_id: int, actor_id: int, action: str, channel: str, now: datetime) -> None:
    """A history entry for a use that changes nothing (the changes write their own, with the channel)."""
    session.add(
        AppointmentHistory(
            appointment_id=appointment_id,
            actor_id=actor_id,
            action=action,
            at=now,
            details={"via": "manage_link", "channel": channel},
        )
    )


def _appointment_view(
    session: Session, found: Resolved, *, token: str, settings: Settings, now: datetime
) -> ManageView:
    appt = found.appointment
    shown = appointments.view(session, actor=_patient(appt.patient_id), appointment_id=appt.id)
    clinic_name, address = store.place(session, clinic_id=appt.clinic_id)
    change_until = appt.starts_at - timedelta(hours=settings.patient_change_cutoff_hours)
    booked = appt.status == "booked"
    view = ManageView(
        kind="appointment",
        appointment=shown,
        starts_at=shown.starts_at,
        ends_at=shown.ends_at,
        timezone=shown.timezone,
        doctor_name=shown.doctor_name,
        service_name=shown.service_name,
        clinic_name=clinic_name,
        clinic_address=address,
        change_until=change_until.astimezone(zone(shown.timezone)),
        can_change=booked and now < change_until,
        can_cancel=booked and now < appt.starts_at,
        late_if_cancelled=booked and change_until <= now < appt.starts_at,
    )
    if booked:
        locale = store.locale_of(session, user_id=appt.patient_id)
        urls = calendar_links.for_appointment(
            locale=locale,
            clinic_name=clinic_name,
            doctor_name=shown.doctor_name,
            starts_at=appt.starts_at,
            ends_at=appt.ends_at,
            where=clinic_name + (f", {address}" if address else ""),
            zone=shown.timezone,
            manage_link=f"{settings.public_url}/a/{token}",
        )
        view.google_url, view.outlook_url = urls["google"], urls["outlook"]
    return view


def _offer_view(session: Session, found: Resolved) -> ManageView:
    hold = found.hold
    names = store.offered(session, doctor_id=hold.doctor_id, service_id=hold.service_id)
    local = zone(names.timezone)
    return ManageView(
        kind="offer",
        appointment=None,
        starts_at=hold.starts_at.astimezone(local),
        ends_at=hold.ends_at.astimezone(local),
        timezone=names.timezone,
        doctor_name=names.doctor_name,
        service_name=names.service_name,
        clinic_name=names.clinic_name,
        clinic_address=names.clinic_address,
        hold_expires_at=hold.expires_at.astimezone(local),
    )


def view(session: Session, *, token: str, settings: Settings, now: datetime | None = None) -> ManageView:
    """What the link opens; the opening is written to the appointment's history."""
    now = now or utcnow()
    found = tokens.lookup(session, token, secret=settings.jwt_secret_key, now=now)
    if found is None:
        raise NoSuchLink()
    if found.hold is not None:
        return _offer_view(session, found)
    _note(
        session,
        appointment_id=found.appointment.id,
        actor_id=found.appointment.patient_id,
        action=OPENED,
        channel=found.channel,
        now=now,
    )
    return _appointment_view(session, found, token=token, settings=settings, now=now)


def slots(
    session: Session, *, token: str, first: date, last: date, settings: Settings, now: datetime | None = None
) -> Slots:
    """The free slots of the appointment's doctor and service that its patient could move to."""
    now = now or utcnow()
    appt = _open(session, token, settings, now).appointment
    return free_slots(
        session,
        actor=_patient(appt.patient_id),
        doctor_id=appt.doctor_id,
        service_id=appt.service_id,
        first=first,
        last=last,
        now=now,
        settings=settings,
    )


def move(
    session: Session, *, token: str, starts_at: datetime, settings: Settings, now: datetime | None = None
) -> ManageView:
    """Move the appointment, as its patient's own PATCH would."""
    now = now or utcnow()
    found = _open(session, token, settings, now, for_update=True)
    appt = found.appointment
    appointments.reschedule(
        session,
        actor=_patient(appt.patient_id),
        appointment_id=appt.id,
        starts_at=starts_at,
        settings=settings,
        now=now,
        channel=found.channel,
    )
    return _appointment_view(session, found, token=token, settings=settings, now=now)


def cancel(
    session: Session, *, token: str, reason: str | None, settings: Settings, now: datetime | None = None
) -> ManageView:
    """Cancel the appointment, as its patient's own cancel would (late inside the cutoff)."""
    now = now or utcnow()
    found = _open(session, token, settings, now, for_update=True)
    appt = found.appointment
    appointments.cancel(
        session,
        actor=_patient(appt.patient_id),
        appointment_id=appt.id,
        reason=reason,
        settings=settings,
        now=now,
        channel=found.channel,
    )
    return _appointment_view(session, found, token=token, settings=settings, now=now)


def accept(session: Session, *, token: str, settings: Settings, now: datetime | None = None) -> ManageView:
    """Book the held slot for the hold's patient (as their own booking would), using the hold up at once so
    a second tap finds nothing to accept; the answer carries the new appointment's own manage token."""
    now = now or utcnow()
    found = _open(session, token, settings, now, offer=True, for_update=True)
    hold = found.hold
    booked = appointments.book(
        session,
        actor=_patient(hold.patient_id),
        doctor_id=hold.doctor_id,
        service_id=hold.service_id,
        starts_at=hold.starts_at,
        settings=settings,
        now=now,
    )
    settle_holds(
        session,
        patient_id=hold.patient_id,
        doctor_id=hold.doctor_id,
        starts_at=hold.starts_at,
        blocked_until=hold.blocked_until,
    )
    _note(session, appointment_id=booked.id, actor_id=hold.patient_id, action=ACCEPTED, channel=found.channel, now=now)
    new_token = tokens.mint(session, appointment_id=booked.id, channel=found.channel, secret=settings.jwt_secret_key)
    opened = tokens.resolve(session, new_token, secret=settings.jwt_secret_key, now=now)
    view = _appointment_view(session, opened, token=new_token, settings=settings, now=now)
    view.manage_token = new_token
    return view


def calendar_file(session: Session, *, token: str, settings: Settings, now: datetime | None = None) -> bytes:
    """The appointment as an .ics download (METHOD:PUBLISH)."""
    now = now or utcnow()
    appt = _open(session, token, settings, now).appointment
    return invites.download_for(session, appointment_id=appt.id, now=now)
