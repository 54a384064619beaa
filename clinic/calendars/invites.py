"""iTIP invites (RFC 5546: METHOD:REQUEST / METHOD:CANCEL) for one appointment.

Interface shared with the email workers: `invite_for(...)` gives the bytes of `invite.ics`,
`content_type(method)` the attachment's MIME type.

The patient is the ATTENDEE with PARTSTAT=ACCEPTED and RSVP=FALSE: the booking is already made, and the
clinic's mailbox does not process iTIP replies, so clients must not offer "Accept/Decline" buttons whose
"No" would silently remove the event while the appointment stays booked. The description says how to
change or cancel it instead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.calendars import ics, store
from clinic.clock import utcnow
from clinic.errors import NotFound

METHODS = ("REQUEST", "CANCEL")


def content_type(method: str) -> str:
    """The attachment's MIME type; mail clients need the method parameter to treat it as an invite."""
    return f'text/calendar; charset="utf-8"; method={_checked(method)}'


def invite_for(
    session: Session, *, appointment_id: int, method: str, now: datetime | None = None, sender: str | None = None
) -> bytes:
    """The `invite.ics` for an appointment as it stands now; method is "REQUEST" or "CANCEL".

    A REQUEST asked for an appointment that is already cancelled yields the CANCEL: re-sending the
    event as requested would resurrect it in the patient's calendar.
    """
    return invitation(session, appointment_id=appointment_id, method=method, now=now, sender=sender)[1]


def invitation(
    session: Session, *, appointment_id: int, method: str, now: datetime | None = None, sender: str | None = None
) -> tuple[str, bytes]:
    """Like `invite_for`, with the METHOD the document actually carries (CANCEL for a cancelled one)."""
    return _document(session, appointment_id, _checked(method), now, sender)


def download_for(
    session: Session, *, appointment_id: int, now: datetime | None = None, sender: str | None = None
) -> bytes:
    """The appointment as a plain METHOD:PUBLISH calendar, for "add to my calendar" downloads."""
    return _document(session, appointment_id, "PUBLISH", now, sender)[1]


def _document(
    session: Session, appointment_id: int, method: str, now: datetime | None, sender: str | None
) -> tuple[str, bytes]:
    row = store.invitation_facts(session, appointment_id=appointment_id)
    if row is None:
        raise NotFound("No such appointment.", code="appointment_not_found")
    appt, clinic_name, clinic_address, zone, patient_email, patient_name, locale, doctor_name = row
    if appt.status == "cancelled" and method == "REQUEST":
        method = "CANCEL"
    words = ics.texts(locale)
    cancelled = appt.status == "cancelled" or method == "CANCEL"
    description = (
        words["with_doctor"].format(doctor=doctor_name) + "\n" + (words["cancelled"] if cancelled else words["manage"])
    )
    sender = sender or ics.email_from()
    _, organizer_email = ics.organizer_mailbox(sender)

    event = ics.event(
        uid=appt.ical_uid,
        sequence=appt.sequence,
        stamp=now or utcnow(),
        starts_at=appt.starts_at,
        ends_at=appt.ends_at,
        zone=zone,
        summary=(words["summary_cancelled"] if cancelled else words["summary"]).format(clinic=clinic_name),
        description=description,
        where=ics.location(clinic_name, clinic_address),
        status="CANCELLED" if cancelled else "CONFIRMED",
        created=appt.created_at,
        modified=appt.updated_at,
    )
    event.add("organizer", ics.address(organizer_email, clinic_name))
    if method != "PUBLISH":  # RFC 5546 forbids ATTENDEE in a PUBLISH
        event.add(
            "attendee",
            ics.address(
                patient_email,
                patient_name,
                cutype="INDIVIDUAL",
                role="REQ-PARTICIPANT",
                partstat="ACCEPTED",
                rsvp="FALSE",
            ),
        )
    if not cancelled:
        event.add_component(ics.alarm(words["alarm"].format(clinic=clinic_name)))

    cal = ics.new_calendar(method)
    ics.add_timezones(cal, [zone], appt.starts_at.date(), appt.ends_at.date())
    cal.add_component(event)
    return method, cal.to_ical()


def _checked(method: str) -> str:
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method
