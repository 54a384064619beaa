"""The slot arithmetic against a deliberately naive reference, on random calendars."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic.availability import engine
from clinic.availability.cache import Basis, FreeSlots
from clinic.availability.service import Slots
from web.schemas.scheduling import slots_json


def _naive(intervals, duration, earliest, latest, busy_windows):
    out = []
    for s, e in intervals:
        for t in range(s, e - duration + 1, duration):
            if earliest <= t <= latest and not any(t < b and t + w > a for a, b, w in busy_windows):
                out.append(t)
    return out


def test_free_runs_match_the_naive_definition():
    rng = random.Random(7)
    for _ in range(400):
        duration = rng.choice([5, 10, 15, 20, 30, 45]) * 60
        buffer = rng.choice([0, 0, 5, 15]) * 60
        base = 1_800_000_000
        intervals, cursor = [], base
        for _ in range(rng.randint(1, 4)):
            cursor += rng.randint(0, 30) * 300
            length = rng.randint(1, 40) * 300
            intervals.append((cursor, cursor + length))
            cursor += length
        span = cursor - base
        appointments = [
            (a, a + rng.randint(1, 12) * 300)
            for a in (base + rng.randint(-10, span // 300) * 300 for _ in range(rng.randint(0, 12)))
        ]
        time_off = [
            (a, a + rng.randint(1, 30) * 300)
            for a in (base + rng.randint(-10, span // 300) * 300 for _ in range(rng.randint(0, 3)))
        ]
        earliest = base + rng.randint(-20, span // 300) * 300
        latest = earliest + rng.randint(0, span // 300 + 20) * 300
        blocked = engine.blocked_starts(
            ([a for a, _ in appointments], [b for _, b in appointments], duration + buffer),
            ([a for a, _ in time_off], [b for _, b in time_off], duration),
        )
        expected = _naive(
            intervals,
            duration,
            earliest,
            latest,
            [(a, b, duration + buffer) for a, b in appointments] + [(a, b, duration) for a, b in time_off],
        )
        runs = engine.free_runs(intervals, duration, earliest, latest, blocked)
        assert [intervals[k][0] + n * duration for k, i, j in runs for n in range(i, j + 1)] == expected


def _written(zone, starts, duration):
    """The slots endpoint's JSON objects for these starts, as the web schema writes the engine's data."""
    free = FreeSlots(0, Basis(zone, duration, 0, ()), list(starts))
    return json.loads(slots_json(Slots(zone, duration, free, ((0, len(starts)),))).body)["slots"]


def _isoformat(tz, starts, duration):
    return [
        {
            "starts_at": datetime.fromtimestamp(t, tz).isoformat(),
            "ends_at": datetime.fromtimestamp(t + duration, tz).isoformat(),
        }
        for t in starts
    ]


def test_fast_formatting_equals_zoneinfo_isoformat():
    for zone in ("Europe/Madrid", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"):
        tz = ZoneInfo(zone)
        day = date(2027, 1, 1)
        for _ in range(0, 365, 3):
            day += timedelta(days=3)  # Mondays, Thursdays, Sundays...: DST-change days included
            plan = engine.plan_day(zone, day, ((0, 3 * 3600), (8 * 3600, 20 * 3600 + 1800)))
            starts = [t for s, e in plan.intervals for t in range(s, e - 1800 + 1, 1800)]
            assert _written(zone, starts, 1800) == _isoformat(tz, starts, 1800), (zone, day)


def test_a_days_slots_are_every_grid_start_of_each_interval_in_order():
    hours = ((0, 3 * 3600), (8 * 3600, 20 * 3600 + 1800))
    for zone, day in (
        ("Europe/Madrid", date(2027, 3, 28)),
        ("Europe/Madrid", date(2027, 10, 31)),
        ("America/New_York", date(2027, 11, 7)),
        ("America/Bogota", date(2027, 5, 4)),
    ):
        tz, plan = ZoneInfo(zone), engine.plan_day(zone, day, hours)
        assert engine.range_intervals(zone, day, day, ((day.weekday(), hours),)) == tuple(plan.intervals)
        starts = [t for s, e in plan.intervals for t in range(s, e - 2700 + 1, 2700)]
        assert _written(zone, starts, 2700) == _isoformat(tz, starts, 2700), (zone, day)


def test_a_ranges_intervals_are_its_days_intervals_in_date_order():
    weekly = ((0, ((8 * 3600, 14 * 3600),)), (2, ((1 * 3600, 4 * 3600), (15 * 3600, 19 * 3600))))
    first, last = date(2027, 3, 22), date(2027, 4, 6)  # spans Madrid's spring-forward (Sunday 28 March)
    intervals = engine.range_intervals("Europe/Madrid", first, last, weekly)
    days = [
        engine.plan_day("Europe/Madrid", day, dict(weekly)[day.weekday()])
        for day in engine.dates(first, last)
        if day.weekday() in dict(weekly)
    ]
    assert len(days) == 5
    assert list(intervals) == [i for day in days for i in day.intervals]
