"""iCalendar building blocks shared by invites and subscription feeds.

Nothing here is clinical: summaries name the clinic, descriptions the doctor, never the service, the
specialty or the patient's reason (a calendar is synced to third parties and is no place for health data).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from clinic.calendars.zones import vtimezone
from clinic.wallclock import names_one_instant
from clinic.settings import LOCAL_DEFAULTS

PRODID = "-//Clinic Appointments//Calendar 1.0//ES"
# RFC 5545 TEXT admits no control character but HTAB; a line break inside a value must be written as `\n`.
# Unicode's own line and paragraph separators count too: some readers break lines on them.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]+")
_LINE_BREAK = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
ALARM_BEFORE = timedelta(hours=2)

TEXTS = {
    "es": {
        "summary": "Cita en {clinic}",
        "summary_cancelled": "Cancelada: cita en {clinic}",
        "with_doctor": "Cita con {doctor}.",
        "manage": "Para cambiarla o cancelarla, usa la aplicación de la clínica.",
        "cancelled": "Esta cita ha sido cancelada.",
        "alarm": "Recordatorio: cita en {clinic}",
        "doctor_summary": "Cita: {patient}",
        "feed_name": "Citas — {name}",
    },
    "en": {
        "summary": "Appointment at {clinic}",
        "summary_cancelled": "Cancelled: appointment at {clinic}",
        "with_doctor": "Appointment with {doctor}.",
        "manage": "To change or cancel it, use the clinic's app.",
        "cancelled": "This appointment has been cancelled.",
        "alarm": "Reminder: appointment at {clinic}",
        "doctor_summary": "Appointment: {patient}",
        "feed_name": "Appointments — {name}",
    },
}


def one_line(value: str) -> str:
    """A name, address or title as one line of iCalendar text: every run of control characters (line breaks
    included) becomes one space. Stored data may predate the API's refusal of them; it must never break
    (or inject lines into) a calendar, whether or not Python runs with assertions."""
    return _CONTROL.sub(" ", value).strip()


def paragraphs(value: str) -> str:
    """Multi-line text: line breaks become `\n` (which `vText` writes as the escape `\\n`), any other
    control character a space."""
    return "\n".join(one_line(line) for line in _LINE_BREAK.sub("\n", value).split("\n"))


def texts(locale: str | None) -> dict[str, str]:
    return TEXTS.get((locale or "es")[:2], TEXTS["es"])


def email_from() -> str:
    """EMAIL_FROM as the processes read it (Settings fails fast at start-up when production lacks it)."""
    return os.environ.get("EMAIL_FROM") or LOCAL_DEFAULTS["EMAIL_FROM"]


def organizer_mailbox(sender: str | None = None) -> tuple[str, str]:
    """(display name, address) of the clinic's sending mailbox."""
    name, address = parseaddr(sender or email_from())
    return name, address


def new_calendar(method: str | None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:  # an X- property is not TEXT to icalendar: say so, or it goes out unescaped
        cal.add("x-wr-calname", vText(one_line(name)))
    return cal


def add_timezones(cal: Calendar, zones: Iterable[str], first: date, last: date) -> None:
    """A VTIMEZONE for every TZID used, covering the events' years plus one on each side (not 1970-2038)."""
    for zone in sorted(set(zones)):
        cal.add_component(vtimezone(zone, first.year - 1, last.year + 1))


def local(instant: datetime, zone: str) -> datetime:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(ZoneInfo(zone))


def wall_clock_or_utc(starts_at: datetime, ends_at: datetime, zone: str) -> tuple[datetime, datetime]:
    """The event's times in the clinic's zone, or both in UTC when either is a local time that does not
    name one instant: either occurrence of a fall-back night's repeated hour, or a spring-forward gap time.

    RFC 5545 reads an ambiguous TZID time as its first occurrence, but Thunderbird (ical.js), Evolution
    (libical) and khal read the first 02:00 of Madrid's fall-back night an hour late; UTC is read the
    same way by every client."""
    start, end = local(starts_at, zone), local(ends_at, zone)
    if not (names_one_instant(start) and names_one_instant(end)):
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    return start, end


def address(email: str, name: str | None, **params: str) -> vCalAddress:
    value = vCalAddress(f"mailto:{one_line(email).replace(' ', '')}")
    if name:
        value.params["CN"] = vText(one_line(name))
    for key, param in params.items():
        value.params[key.upper().replace("_", "-")] = param
    return value


def location(clinic_name: str, clinic_address: str | None) -> str:
    return f"{clinic_name}, {clinic_address}" if clinic_address else clinic_name


def event(
    *,
    uid: str,
    sequence: int,
    stamp: datetime,
    starts_at: datetime,
    ends_at: datetime,
    zone: str,
    summary: str,
    description: str,
    where: str,
    status: str,
    created: datetime | None = None,
    modified: datetime | None = None,
) -> Event:
    ev = Event()
    ev.add("uid", uid)
    ev.add("sequence", sequence)
    ev.add("dtstamp", stamp.astimezone(timezone.utc))
    start, end = wall_clock_or_utc(starts_at, ends_at, zone)
    ev.add("dtstart", start)
    ev.add("dtend", end)
    ev.add("summary", one_line(summary))
    ev.add("description", paragraphs(description))
    ev.add("location", one_line(where))
    ev.add("status", status)
    ev.add("transp", "OPAQUE")
    ev.add("class", "PRIVATE")
    if created is not None:
        ev.add("created", created.astimezone(timezone.utc))
    if modified is not None:
        ev.add("last-modified", modified.astimezone(timezone.utc))
    return ev


def alarm(description: str) -> Alarm:
    item = Alarm()
    item.add("action", "DISPLAY")
    item.add("trigger", -ALARM_BEFORE)
    item.add("description", one_line(description))
    return item
