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
    return sorted(chain.from_iterable(zip(map(sub, starts, repeat(window)), ends, strict=True)
                                      for starts, ends, window in groups if starts))


_BEYOND = (1 << 62, 1 << 62)  # a blocked interval after every instant: the scan below needs no bounds checks


def free_runs(intervals: list[tuple[int, int]], duration: int, earliest: int, latest: int,
              blocked: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
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


HHMM = [f"{m // 60:02d}:{m % 60:02d}:00" for m in range(24 * 60)]


def day_offset(tz: tzinfo, intervals: list[tuple[int, int]]) -> int | None:
    """The UTC offset (seconds) shared by every instant of the day's intervals, or None on a DST-change day
    (or an offset or hour that is not a whole minute: then each instant is formatted the slow way)."""
    first, last = intervals[0][0], intervals[-1][1]
    off = offset_at(tz, first)
    if off != offset_at(tz, last) or off % 60 or any(s % 60 for s, _ in intervals):
        return None
    return off


def offset_at(tz: tzinfo, t: int) -> int:
    return int(datetime.fromtimestamp(t, tz).utcoffset().total_seconds())


class DayPlan(NamedTuple):
    """One local date of a weekly schedule, resolved to instants, with its JSON pieces precomputed."""
    intervals: list[tuple[int, int]]
    tz: tzinfo
    midnight: int | None  # UTC instant of local 00:00 at the day's single offset; None on DST-change days
    pre: str
    mid: str
    post: str


@lru_cache(maxsize=8192)
def plan_day(tz_name: str, day: date, hours: tuple[tuple[int, int], ...]) -> DayPlan:
    """Cached: a day's plan depends only on the zone, the date and the weekly hours of that weekday."""
    tz = ZoneInfo(tz_name)
    intervals = local_day_bounds(tz, day, list(hours))
    off = day_offset(tz, intervals) if intervals else None
    if off is None:
        return DayPlan(intervals, tz, None, "", "", "")
    iso, suffix = day.isoformat(), _suffix(off)
    return DayPlan(intervals, tz, (day.toordinal() - EPOCH_ORDINAL) * DAY - off, '{"starts_at":"' + iso + "T",
                   suffix + '","ends_at":"' + iso + "T", suffix + '"}')


def slot_objects(plan: DayPlan, starts: list[int], duration: int) -> list[str]:
    """JSON objects `{"starts_at": ..., "ends_at": ...}` with the clinic's offset, one per start.

    On ordinary days this is two table lookups and one concatenation per slot; on a DST-change day
    each instant goes through zoneinfo.
    """
    midnight, dm = plan.midnight, duration // 60
    if (midnight is not None and duration % 60 == 0 and starts[0] >= midnight
            and (starts[-1] - midnight) // 60 + dm < 24 * 60):
        pre, mid, post, hhmm = plan.pre, plan.mid, plan.post, HHMM
        return [pre + hhmm[m] + mid + hhmm[m + dm] + post for m in [(t - midnight) // 60 for t in starts]]
    tz = plan.tz
    return ['{"starts_at":"%s","ends_at":"%s"}' % (datetime.fromtimestamp(t, tz).isoformat(),
                                                  datetime.fromtimestamp(t + duration, tz).isoformat())
            for t in starts]


class DayGrid(NamedTuple):
    """Every grid slot of one local date for one service length, already written as JSON objects."""
    intervals: list[tuple[int, int]]
    objects: list[list[str]]  # objects[k][n]: the slot starting at intervals[k][0] + n * duration


@lru_cache(maxsize=2048)
def day_grid(tz_name: str, day: date, hours: tuple[tuple[int, int], ...], duration: int) -> DayGrid:
    """Cached like `plan_day`: a month of slots then costs one list slice per free run, DST days included."""
    plan = plan_day(tz_name, day, hours)
    objects = [slot_objects(plan, list(range(s, e - duration + 1, duration)), duration) if e - s >= duration else []
               for s, e in plan.intervals]
    return DayGrid(plan.intervals, objects)


@lru_cache(maxsize=1024)
def range_grid(tz_name: str, first: date, last: date, weekly: tuple[tuple[int, tuple[tuple[int, int], ...]], ...],
               duration: int, overrides: tuple[tuple[date, tuple[tuple[int, int], ...]], ...] = ()) -> DayGrid:
    """The day grids of the local dates first..last, in one: `weekly` pairs each weekday with its hours,
    `overrides` pairs a local date with the hours that replace its weekday's (none: a day off).

    Cached as well, so a month's grid costs one lookup; the result is shared, never to be changed."""
    hours_on = dict(weekly)
    own = dict(overrides)
    intervals: list[tuple[int, int]] = []
    objects: list[list[str]] = []
    for day in dates(first, last):
        hours = own[day] if day in own else hours_on.get(day.weekday())
        if hours:
            grid = day_grid(tz_name, day, hours, duration)
            intervals += grid.intervals
            objects += grid.objects
    return DayGrid(intervals, objects)


def _suffix(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    offset = abs(offset)
    return f"{sign}{offset // 3600:02d}:{offset % 3600 // 60:02d}"


def dates(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
