"""Independent strict parsing of what we generate: the `ical` package (not icalendar, which wrote it)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from ical.calendar import Calendar as StrictCalendar
from ical.calendar_stream import IcsCalendarStream


def parse(body: bytes) -> StrictCalendar:
    text = body.decode("utf-8")
    assert "\r\n" in text and not re.search(r"[^\r]\n", text), "lines must end with CRLF"
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n")), "lines must be folded at 75 octets"
    return IcsCalendarStream.calendar_from_ics(text)


def parse_with_private_zones(body: bytes, zone: str) -> StrictCalendar:
    """Rename the TZID so that the parser must use our VTIMEZONE rather than its own tz database."""
    return parse(body.replace(zone.encode(), b"Private/Zone"))


def prop(body: bytes, name: str) -> list[str]:
    """Raw (unfolded) content lines of one property, parameters included."""
    text = body.decode("utf-8").replace("\r\n ", "")
    return [line for line in text.split("\r\n") if re.match(rf"{name}[;:]", line)]


def utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)
