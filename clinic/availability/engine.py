"""Free-slot arithmetic: pure functions over integer epoch seconds (no database, no I/O).

The slot rule
-------------
Inside each working interval, slots start at the interval's start and step by the service duration;
a slot must end by the interval's end. Working intervals are wall-clock times in the clinic's zone,
resolved to instants per LOCAL date with zoneinfo: the start with fold=0 (the first occurrence of an
ambiguous time; after the gap for a nonexistent one), the end with fold=1 (the last occurrence).
The steps themselves are in absolute time, so on a spring-forward day a 01:00-04:00 interval offers
only real instants (no 02:xx), and on a fall-back day the repeated hour is offered once per instant:
nothing twice, nothing lost. 09:00 local stays 09:00 local on both sides of a change.

A candidate start t is free when
- earliest <= t <= latest (minimum notice and booking horizon; "earliest" is never before now),
- [t, t + duration) misses every time off (and, for a patient, their own active appointments),
- [t, t + duration + buffer) misses every active appointment's [starts_at, blocked_until): exactly the
  test of the `appointments_no_doctor_overlap` exclusion constraint, which stays the last word.
Each busy interval (a, b) therefore forbids the open interval of starts (a - window, b).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import chain, repeat
from operator import sub
from typing import NamedTuple
from zoneinfo import ZoneInfo

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY = 86400


def local_day_bounds(tz: tzinfo, day: date, hours: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The working intervals of one local date as (start, end) epoch seconds; hours are seconds after midnight."""
    out = []
    for start_s, end_s in hours:
        start = datetime.combine(day, _time(start_s), tzinfo=tz)
        end = datetime.combine(day, _time(end_s), tzinfo=tz).replace(fold=1)
        s, e = int(start.timestamp()), int(end.timestamp())
        if s < e:
            out.append((s, e))
    return out


def _time(seconds: int) -> time:
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def blocked_starts(*groups: tuple[list[int], list[int], int]) -> list[tuple[int, int]]:
    """Open intervals of start times excluded by busy intervals, sorted by start (they may overlap).

    Each group is (starts, ends, window): busy intervals [starts[i], ends[i]) that a booking lasting
    `window` must miss, so each one forbids the starts in (starts[i] - window, ends[i]).
    """
    return sorted(
        chain.from_iterable(
            zip(map(sub, starts, repeat(window)), ends, strict=True) for starts, ends, window in groups if starts
        )
    )


_BEYOND = (1 << 62, 1 << 62)  # a blocked interval after every instant: the scan below needs no bounds checks


def free_runs(
    intervals: list[tuple[int, int]], duration: int, earliest: int, latest: int, blocked: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """Free slots as runs `(k, i, j)`: grid starts i..j (inclusive) of working interval k are free.

    A grid start of interval k is `intervals[k][0] + n * duration`. `intervals` must be in ascending
    order and `blocked` sorted by start (see `blocked_starts`): then no interval later in `blocked` can
    exclude a start before the current one's, so one forward scan suffices, whose cost follows the
    busy intervals, not the slots.
    """
    out: list[tuple[int, int, int]] = []
    blocked = [*blocked, _BEYOND]
    j = 0
    for k, (s, e) in enumerate(intervals):
        hi = min(e - duration, latest)
        t = s if s >= earliest else s - (s - earliest) // duration * duration  # first grid start >= earliest
        while t <= hi:
            a, b = blocked[j]
            while b <= t:  # over by t: it excludes nothing from here on
                j += 1
                a, b = blocked[j]
            if a > hi:
                out.append((k, (t - s) // duration, (hi - s) // duration))
                break
            if a >= t:  # starts t..a are free (a itself is: the interval is open)
                out.append((k, (t - s) // duration, (a - s) // duration))
            t = s - (s - b) // duration * duration  # first grid start >= b
    return out


def is_grid_start(intervals: list[tuple[int, int]], duration: int, t: int) -> bool:
    """Whether t is a slot start of one of the day's working intervals."""
    return any(s <= t <= e - duration and (t - s) % duration == 0 for s, e in intervals)


class DayPlan(NamedTuple):
    """One local date of a weekly schedule, resolved to instants."""

    intervals: list[tuple[int, int]]
    tz: tzinfo


@lru_cache(maxsize=8192)
def plan_day(tz_name: str, day: date, hours: tuple[tuple[int, int], ...]) -> DayPlan:
    """Cached: a day's plan depends only on the zone, the date and the weekly hours of that weekday."""
    tz = ZoneInfo(tz_name)
    return DayPlan(local_day_bounds(tz, day, list(hours)), tz)


@lru_cache(maxsize=1024)
def range_intervals(
    tz_name: str,
    first: date,
    last: date,
    weekly: tuple[tuple[int, tuple[tuple[int, int], ...]], ...],
    overrides: tuple[tuple[date, tuple[tuple[int, int], ...]], ...] = (),
) -> tuple[tuple[int, int], ...]:
    """The working intervals of the local dates first..last, in order: `weekly` pairs each weekday with its
    hours, `overrides` pairs a local date with the hours that replace its weekday's (none: a day off).

    Cached, so a month's intervals cost one lookup; the result is shared, never to be changed."""
    hours_on = dict(weekly)
    own = dict(overrides)
    intervals: list[tuple[int, int]] = []
    for day in dates(first, last):
        hours = own[day] if day in own else hours_on.get(day.weekday())
        if hours:
            intervals += plan_day(tz_name, day, hours).intervals
    return tuple(intervals)


def dates(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
