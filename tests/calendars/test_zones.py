"""VTIMEZONEs in the form Outlook and Google write (a STANDARD and a DAYLIGHT, each with a yearly RRULE),
and that form reproduces zoneinfo: every quarter hour of the window has the offset zoneinfo gives it."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from clinic.calendars.zones import vtimezone
from clinic.wallclock import names_one_instant

STEP = timedelta(minutes=15)


def _expand(component, until: datetime) -> list[tuple[datetime, timedelta]]:
    """(UTC instant, offset after) of every onset the VTIMEZONE describes up to `until`, read with
    dateutil's rrule."""
    onsets = []
    for observance in component.subcomponents:
        start = observance["DTSTART"].dt
        offset_from, offset_to = observance["TZOFFSETFROM"].td, observance["TZOFFSETTO"].td
        walls = {start}
        if "RRULE" in observance:
            rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
            walls.update(rule.between(start, until, inc=True))
        rdates = observance.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            walls.update(d.dt for d in rdate.dts)
        onsets += [((wall - offset_from).replace(tzinfo=timezone.utc), offset_to) for wall in walls]
    return sorted(onsets)


def _offset_at(onsets, instant: datetime) -> timedelta:
    index = bisect_right([at for at, _ in onsets], instant) - 1
    assert index >= 0, f"{instant} is before the VTIMEZONE's first onset"
    return onsets[index][1]


ZONES = [
    "Europe/Madrid",
    "America/New_York",
    "America/Mexico_City",
    "Australia/Sydney",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Africa/Casablanca",
    "Asia/Tokyo",
    "Europe/London",
]


@pytest.mark.parametrize("years", [(2026, 2028), (2020, 2023)], ids=["2026-2028", "2020-2023"])
@pytest.mark.parametrize("zone", ZONES)
def test_the_rules_reproduce_zoneinfo_every_quarter_hour(zone, years):
    first, last = years
    onsets = _expand(vtimezone(zone, first, last), datetime(last + 2, 1, 1))
    tz = ZoneInfo(zone)
    at, end = datetime(first, 1, 1, tzinfo=timezone.utc), datetime(last + 1, 1, 1, tzinfo=timezone.utc)
    while at < end:
        assert _offset_at(onsets, at) == at.astimezone(tz).utcoffset(), (zone, at)
        at += STEP


@pytest.mark.parametrize(
    "zone, daylight, standard",
    [
        ("Europe/Madrid", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
        ("America/New_York", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
        ("Australia/Sydney", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"),
    ],
)
def test_a_dst_zone_has_one_standard_and_one_daylight_with_yearly_rules(zone, daylight, standard):
    component = vtimezone(zone, 2026, 2028)
    kinds = [(sub.name, sub["RRULE"].to_ical().decode(), "RDATE" in sub) for sub in component.subcomponents]
    assert sorted(kinds) == [("DAYLIGHT", daylight, False), ("STANDARD", standard, False)]


def test_a_zone_without_dst_gets_one_standard():
    (standard,) = vtimezone("America/Mexico_City", 2026, 2028).subcomponents
    assert standard.name == "STANDARD" and "RRULE" not in standard
    assert standard["TZOFFSETFROM"].td == standard["TZOFFSETTO"].td == timedelta(hours=-6)
    assert [sub.name for sub in vtimezone("Asia/Tokyo", 2026, 2028).subcomponents] == ["STANDARD"]


def test_a_rule_that_ended_is_closed_and_the_standard_time_after_it_stays():
    """Mexico dropped DST after October 2022: the rules stop (COUNT), nothing repeats after them."""
    component = vtimezone("America/Mexico_City", 2020, 2023)
    rules = sorted((sub.name, sub["RRULE"].to_ical().decode()) for sub in component.subcomponents)
    assert rules == [
        ("DAYLIGHT", "FREQ=YEARLY;COUNT=4;BYDAY=1SU;BYMONTH=4"),
        ("STANDARD", "FREQ=YEARLY;COUNT=4;BYDAY=-1SU;BYMONTH=10"),
    ]


def test_which_wall_clock_readings_name_one_instant():
    madrid = ZoneInfo("Europe/Madrid")
    assert names_one_instant(datetime(2027, 7, 1, 9, 0, tzinfo=madrid))
    assert not names_one_instant(datetime(2027, 10, 31, 2, 30, tzinfo=madrid))  # repeated: first...
    assert not names_one_instant(datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=madrid))  # ...and second
    assert not names_one_instant(datetime(2027, 3, 28, 2, 30, tzinfo=madrid))  # in the spring gap: none
    assert names_one_instant(datetime(2027, 3, 28, 3, 0, tzinfo=madrid))
