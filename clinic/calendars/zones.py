"""VTIMEZONE components built from the IANA database (zoneinfo).

Why not icalendar's generator: it writes a DAYLIGHT onset in post-transition wall time (RFC 5545 wants the
local time before the change) and leaves the first onset only in DTSTART, which some strict readers (the
`ical` package among them) ignore when there is no RRULE. Here each observance lists every onset in the
window as RDATE lines, DTSTART included, one per line (Mozilla's ical.js reads only the first value of a
multi-valued RDATE), which every reader we test with understands the same way.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_DAY = timedelta(days=1)


def _state(tz: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(tz)
    return local.utcoffset(), local.dst() or timedelta(0), local.tzname() or ""


def _transitions(tz: ZoneInfo, start: datetime, end: datetime):
    """(instant, state before, state after) for every offset change in [start, end)."""
    before, at = _state(tz, start), start
    while at < end:
        nxt = at + _DAY
        after = _state(tz, nxt)
        if after[0] != before[0] or after[2] != before[2]:
            low, high = at, nxt  # the change happens in (low, high]
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                if _state(tz, mid) == before:
                    low = mid
                else:
                    high = mid
            yield high.replace(second=0, microsecond=0), before, after
        before, at = after, nxt


@lru_cache(maxsize=256)
def vtimezone(zone: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `zone`, exact from 1 January of first_year to the end of last_year."""
    tz = ZoneInfo(zone)
    start = datetime(first_year, 1, 1, tzinfo=timezone.utc)
    end = datetime(last_year + 1, 1, 1, tzinfo=timezone.utc)
    initial = _state(tz, start)
    onsets: dict[tuple, list[datetime]] = {}
    onsets[(bool(initial[1]), initial[0], initial[0], initial[2])] = [(start + initial[0]).replace(tzinfo=None)]
    for instant, before, after in _transitions(tz, start, end):
        key = (bool(after[1]), before[0], after[0], after[2])
        # RFC 5545: an onset is the local time in the offset in force before it.
        onsets.setdefault(key, []).append((instant + before[0]).replace(tzinfo=None))

    component = Timezone()
    component.add("tzid", zone)
    for (daylight, offset_from, offset_to, name), dates in sorted(onsets.items(), key=lambda kv: kv[1][0]):
        observance = TimezoneDaylight() if daylight else TimezoneStandard()
        observance.add("dtstart", dates[0])
        for onset in dates:  # one RDATE line per onset: ical.js reads only the first value of a list
            observance.add("rdate", onset)
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        if name:
            observance.add("tzname", name)
        component.add_component(observance)
    return component
