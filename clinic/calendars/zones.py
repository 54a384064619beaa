"""VTIMEZONE components built from the IANA database (zoneinfo), in the form Outlook and Google write.

Each observance (a STANDARD or a DAYLIGHT sub-component) carries a yearly RRULE (`FREQ=YEARLY;BYMONTH=3;
BYDAY=-1SU`) instead of one RDATE per transition: Outlook desktop mis-reads the per-transition form
(summer events an hour off, the zone shown as "West-Central Africa"). A zone without DST in the window
gets a single STANDARD. The rules are derived from the transitions themselves, so a zone whose rule
changed inside the window gets one observance per rule, the older ones closed with COUNT; an onset that
follows no yearly rule (a one-off change) is written as DTSTART alone plus an RDATE.

Onsets are the local time in the offset in force before the change (RFC 5545), e.g. 02:00 for Madrid's
spring change and 03:00 for its autumn one.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

_DAY = timedelta(days=1)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _state(tz: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(tz)
    return local.utcoffset(), local.dst() or timedelta(0), local.tzname() or ""


def transitions(tz: ZoneInfo, start: datetime, end: datetime):
    """(instant, state before, state after) for every offset or name change in [start, end)."""
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


def _weekday_rules(onset: datetime) -> set[str]:
    """The BYDAY values naming this date within its month: its nth weekday, and -1 when it is the last."""
    code = _WEEKDAYS[onset.weekday()]
    rules = {f"{(onset.day - 1) // 7 + 1}{code}"}
    if onset.day + 7 > calendar.monthrange(onset.year, onset.month)[1]:
        rules.add(f"-1{code}")
    return rules


@dataclass
class _Run:
    """Consecutive yearly onsets of one observance that one BYMONTH/BYDAY rule reproduces."""

    onsets: list[datetime]  # local wall time before the change, naive
    rules: set[str] = field(default_factory=set)

    def accepts(self, onset: datetime) -> bool:
        last = self.onsets[-1]
        return (
            onset.year == last.year + 1
            and onset.month == last.month
            and onset.time() == last.time()
            and bool(self.rules & _weekday_rules(onset))
        )


def _runs(onsets: list[datetime]) -> list[_Run]:
    runs: list[_Run] = []
    for wall in onsets:
        if runs and runs[-1].accepts(wall):
            runs[-1].rules &= _weekday_rules(wall)
            runs[-1].onsets.append(wall)
        else:
            runs.append(_Run([wall], _weekday_rules(wall)))
    return runs


def _rule(run: _Run, open_ended: bool) -> vRecur:
    # Prefer "-1SU" (last Sunday) over "5SU" or "4SU": it is how the zone's rule is written and it keeps
    # holding in the years after the window.
    byday = sorted(run.rules, key=lambda r: (not r.startswith("-1"), r))[0]
    rule = vRecur(freq="YEARLY", bymonth=run.onsets[0].month, byday=byday)
    if not open_ended:
        # COUNT rather than UNTIL: both are RFC 5545, but the `ical` package refuses a (correctly UTC)
        # UNTIL once it resolves the observance's DTSTART in the zone.
        rule["count"] = len(run.onsets)
    return rule


@lru_cache(maxsize=256)
def vtimezone(zone: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `zone`, exact from 1 January of first_year to the end of last_year.

    Transitions are read from a year earlier, so that each observance has an onset before the window and
    a reader never has to guess the offset in force on 1 January."""
    tz = ZoneInfo(zone)
    start = datetime(first_year - 1, 1, 1, tzinfo=timezone.utc)
    end = datetime(last_year + 1, 1, 1, tzinfo=timezone.utc)
    component = Timezone()
    component.add("tzid", zone)

    groups: dict[tuple, list[datetime]] = {}
    for instant, before, after in transitions(tz, start, end):
        key = (bool(after[1]), before[0], after[0], after[2])
        groups.setdefault(key, []).append((instant + before[0]).replace(tzinfo=None))
    if not groups:  # no change in the window: one STANDARD (its RDATE for readers that need one, see below)
        offset, _, name = _state(tz, start)
        onset = (start + offset).replace(tzinfo=None)
        observance = _observance(False, offset, offset, name, onset)
        observance.add("rdate", onset)
        component.add_component(observance)
        return component

    observances = []
    for (daylight, offset_from, offset_to, name), onsets in groups.items():
        runs = _runs(onsets)
        for index, run in enumerate(runs):
            item = _observance(daylight, offset_from, offset_to, name, run.onsets[0])
            if len(run.onsets) > 1:
                # The last run still in force at the window's end is left open, as Outlook writes it.
                open_ended = index == len(runs) - 1 and run.onsets[-1].year == last_year
                item.add("rrule", _rule(run, open_ended=open_ended))
            else:  # a one-off onset; the `ical` package ignores a DTSTART that no RRULE or RDATE repeats
                item.add("rdate", run.onsets[0])
            observances.append((run.onsets[0], item))
    for _, item in sorted(observances, key=lambda pair: pair[0]):
        component.add_component(item)
    return component


def _observance(daylight: bool, offset_from: timedelta, offset_to: timedelta, name: str, onset: datetime):
    observance = TimezoneDaylight() if daylight else TimezoneStandard()
    observance.add("dtstart", onset)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    if name:
        observance.add("tzname", name)
    return observance
