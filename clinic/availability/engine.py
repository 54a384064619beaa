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


def forbidden(busy: list[tuple[int, int]], window: int) -> list[tuple[int, int]]:
    """Open intervals of start times that a busy interval excludes, for a booking lasting `window`."""
    return [(a - window, b) for a, b in busy]


def merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge open intervals (touching ones stay separate: their shared point is allowed)."""
    merged: list[list[int]] = []
    for a, b in sorted(intervals):
        if merged and a < merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def free_starts(intervals: list[tuple[int, int]], duration: int, earliest: int, latest: int,
                blocked: list[tuple[int, int]]) -> list[int]:
    """Slot starts on the grid of each working interval that no blocked open interval covers.

    `intervals` must be in ascending order and `blocked` merged (see `merge`).
    """
    out: list[int] = []
    append = out.append
    j, nb = 0, len(blocked)
    for s, e in intervals:
        last = e - duration
        if last < earliest or s > latest:
            continue
        if s < earliest:
            s += -(-(earliest - s) // duration) * duration  # first grid point at or after `earliest`
        if last > latest:
            last = latest
        for t in range(s, last + 1, duration):
            while j < nb and blocked[j][1] <= t:
                j += 1
            if j < nb and blocked[j][0] < t:
                continue
            append(t)
    return out


def is_grid_start(intervals: list[tuple[int, int]], duration: int, t: int) -> bool:
    """Whether t is a slot start of one of the day's working intervals."""
    return any(s <= t <= e - duration and (t - s) % duration == 0 for s, e in intervals)


class Formatter:
    """ISO 8601 with the clinic's offset, cheaply: one zoneinfo lookup per local date, not per slot."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._prefix: dict[int, str] = {}

    def day(self, intervals: list[tuple[int, int]]):
        """A formatter for the instants of one local date's intervals."""
        if not intervals:
            return None
        first = intervals[0][0]
        last = intervals[-1][1]
        off_a = self._offset(first)
        off_b = self._offset(last)
        if off_a != off_b:  # a DST change inside the day: format each instant properly
            return self._slow
        off, suffix = off_a, _suffix(off_a)
        prefix, cache = self._prefix, self._prefix

        def fmt(t: int) -> str:
            local = t + off
            d, secs = divmod(local, DAY)
            p = prefix.get(d)
            if p is None:
                p = cache[d] = date.fromordinal(EPOCH_ORDINAL + d).isoformat() + "T"
            return f"{p}{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}{suffix}"
        return fmt

    def _offset(self, t: int) -> int:
        return int(datetime.fromtimestamp(t, self.tz).utcoffset().total_seconds())

    def _slow(self, t: int) -> str:
        return datetime.fromtimestamp(t, self.tz).isoformat()


def _suffix(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    offset = abs(offset)
    return f"{sign}{offset // 3600:02d}:{offset % 3600 // 60:02d}"


def dates(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
