"""The doctor-wide free slots of a range, kept per process and keyed by the doctor's `slots_version`.

What is cached: for (doctor, service, first date, last date), the start instants of the slots free of the
doctor's appointments and time off (no minimum notice, no horizon, no waitlist hold, no patient's own
appointment: those depend on the caller and the clock and are applied per request, as runs of indexes into
those starts), plus what it was computed from (version, zone, hours, date overrides, length, buffer). Data
only: the web layer writes it as JSON (and may keep what it wrote per entry: an entry never changes).

Why it stays correct with several web processes: the version lives in PostgreSQL (the sum of the doctor's
`doctor_slot_changes` weights) and triggers add to it in the very statement that changes an appointment's
busy time or a time off (migration 0017 says why it is exact). The slots statement reads the version in the same snapshot as everything else; the cached entry is
used only when that version (and the zone, hours, length and buffer read in the same statement) equal the
entry's, so a change committed by any process is seen by the next request of every process. An entry is
built only from data read in the snapshot that read its version.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from threading import Lock
from typing import NamedTuple

from clinic.availability import engine

MAX_ENTRIES = 512  # ~100 kB each for a busy month: a bounded few tens of MB per process at worst
_NEVER = 1 << 62


class Basis(NamedTuple):
    """What a doctor-wide answer depends on besides the busy intervals (read by every slots statement)."""

    tz_name: str
    duration: int  # seconds
    buffer: int  # seconds
    weekly: tuple
    overrides: tuple = ()  # (local date, hours) pairs that replace the weekday's hours (none: a day off)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: an entry is never changed
class FreeSlots:
    version: int
    basis: Basis
    starts: list[int]  # epoch seconds, ascending

    def between(self, earliest: int, latest: int, blocked: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Runs `(i, j)`: the starts `starts[i:j]` are in [earliest, latest] and in none of the open
        `blocked` intervals (sorted by start); in order, none empty."""
        starts = self.starts
        i, j = bisect_left(starts, earliest), bisect_right(starts, latest)
        runs = []
        for a, b in blocked:
            if i >= j:
                break
            x = min(max(bisect_right(starts, a, i, j), i), j)  # first start > a
            if x > i:
                runs.append((i, x))
            i = max(i, bisect_left(starts, b, x, j))  # first start >= b
        if i < j:
            runs.append((i, j))
        return runs


def build(version: int, basis: Basis, first: date, last: date, busy: tuple, off: tuple) -> FreeSlots:
    """The doctor-wide free slots of first..last from the busy intervals and time off (epoch arrays)."""
    duration = basis.duration
    blocked = engine.blocked_starts((busy[0], busy[1], duration + basis.buffer), (off[0], off[1], duration))
    intervals = engine.range_intervals(basis.tz_name, first, last, basis.weekly, basis.overrides)
    starts: list[int] = []
    for k, n0, n1 in engine.free_runs(intervals, duration, 0, _NEVER, blocked):
        s = intervals[k][0]
        starts += range(s + n0 * duration, s + (n1 + 1) * duration, duration)
    return FreeSlots(version, basis, starts)


class SlotsCache:
    """A bounded map (doctor, service, first, last) -> FreeSlots; the oldest entry goes first when full."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: dict[tuple, FreeSlots] = {}
        self._lock = Lock()

    def get(self, key: tuple) -> FreeSlots | None:
        return self._entries.get(key)

    def put(self, key: tuple, entry: FreeSlots) -> None:
        with self._lock:
            self._entries.pop(key, None)
            while len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


FREE_SLOTS = SlotsCache()
