""" "Add to Google Calendar" and "Add to Outlook.com" links: the event prefilled in the provider's own
compose page, for patients whose calendar does not act on the emailed invitation.

Both carry UTC instants (the providers show them in the user's own zone) and nothing clinical: the same
title, place and description as the invite.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def google(*, title: str, starts_at: datetime, ends_at: datetime, details: str, where: str, zone: str) -> str:
    dates = f"{_utc(starts_at):%Y%m%dT%H%M%SZ}/{_utc(ends_at):%Y%m%dT%H%M%SZ}"
    return (
        GOOGLE
        + "?"
        + urlencode(
            {"action": "TEMPLATE", "text": title, "dates": dates, "details": details, "location": where, "ctz": zone}
        )
    )


def outlook(*, title: str, starts_at: datetime, ends_at: datetime, details: str, where: str) -> str:
    return (
        OUTLOOK
        + "?"
        + urlencode(
            {
                "path": "/calendar/action/compose",
                "rru": "addevent",
                "subject": title,
                "startdt": f"{_utc(starts_at):%Y-%m-%dT%H:%M:%SZ}",
                "enddt": f"{_utc(ends_at):%Y-%m-%dT%H:%M:%SZ}",
                "body": details,
                "location": where,
            }
        )
    )


# The event's wording, as on the invite: the clinic, the doctor and the manage link; nothing clinical.
EVENT_TEXTS = {
    "es": {"title": "Cita en {clinic}", "details": "Cita con {doctor}. Gestiona tu cita: {link}"},
    "en": {"title": "Appointment at {clinic}", "details": "Appointment with {doctor}. Manage your appointment: {link}"},
}


def for_appointment(
    *,
    locale: str,
    clinic_name: str,
    doctor_name: str,
    starts_at: datetime,
    ends_at: datetime,
    where: str,
    zone: str,
    manage_link: str,
) -> dict[str, str]:
    """{"google": url, "outlook": url} for one appointment, in the patient's language (es when unknown)."""
    texts = EVENT_TEXTS.get(locale, EVENT_TEXTS["es"])
    event = {
        "title": texts["title"].format(clinic=clinic_name),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "details": texts["details"].format(doctor=doctor_name, link=manage_link),
        "where": where,
    }
    return {"google": google(**event, zone=zone), "outlook": outlook(**event)}
