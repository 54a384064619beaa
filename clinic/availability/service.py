"""Free slots of a doctor for a service, in one query whatever the range (see engine.py for the rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinic.availability import engine, store
from clinic.availability.cache import FREE_SLOTS, Basis, FreeSlots, build
from clinic.errors import Invalid, NotFound
from clinic.identity.actor import Actor
from clinic.identity.patients import check_named_patient
from clinic.identity.tokens import revoked
from clinic.settings import Settings


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Window:
    """Earliest and latest bookable start, in epoch seconds, as of `now`."""

    earliest: int
    latest: int

    @classmethod
    def at(cls, now: datetime, settings: Settings) -> "Window":
        ts = int(now.timestamp())
        return cls(earliest=ts + settings.min_notice_minutes * 60, latest=ts + settings.horizon_days * 86400)


def hours_by_weekday(rows) -> dict[int, tuple[tuple[int, int], ...]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in rows or ():
        out.setdefault(weekday, []).append((start, end))
    return {weekday: tuple(hours) for weekday, hours in out.items()}


def overrides_by_day(rows) -> dict[date, tuple[tuple[int, int], ...]]:
    """Date overrides from the queries' `[day number, start, end]` rows (start -1: a day off)."""
    out: dict[date, list[tuple[int, int]]] = {}
    for day_number, start, end in rows or ():
        hours = out.setdefault(date.fromordinal(day_number + engine.EPOCH_ORDINAL), [])
        if start >= 0:
            hours.append((start, end))
    return {day: tuple(hours) for day, hours in out.items()}


def _basis(tz_name: str, duration_min: int, buffer_min: int, hours, overrides) -> Basis:
    return Basis(
        tz_name,
        duration_min * 60,
        buffer_min * 60,
        tuple(hours_by_weekday(hours).items()),
        tuple(sorted(overrides_by_day(overrides).items())),
    )


def check_range(first: date, last: date, settings: Settings) -> None:
    if last < first:
        raise Invalid("`to` is before `from`.", fields={"to": "must not be before from"})
    if (last - first).days + 1 > settings.max_slots_range_days:
        raise Invalid(
            f"At most {settings.max_slots_range_days} days per request.",
            fields={"to": f"at most {settings.max_slots_range_days} days after from"},
        )


@dataclass(frozen=True)
class Slots:
    """A caller's free slots: those of `free` (the doctor-wide free starts, shared with the per-process cache)
    whose indexes are in the runs `(i, j)` (`free.starts[i:j]`), each lasting `duration` seconds, in the clinic's
    zone `timezone`. No free slots (`free` None) when the doctor does not offer the service now."""

    timezone: str
    duration: int = 0
    free: FreeSlots | None = None
    runs: tuple[tuple[int, int], ...] = ()

    def starts(self) -> list[int]:
        """The slots' start instants (epoch seconds), ascending."""
        starts = self.free.starts if self.free is not None else []
        return [t for i, j in self.runs for t in starts[i:j]]

    def times(self) -> list[tuple[datetime, datetime]]:
        """(starts_at, ends_at) of each slot, in the clinic's zone."""
        tz = zone(self.timezone)
        return [(datetime.fromtimestamp(t, tz), datetime.fromtimestamp(t + self.duration, tz)) for t in self.starts()]


def slots(
    session: Session,
    *,
    actor: Actor,
    doctor_id: int,
    service_id: int,
    first: date,
    last: date,
    now: datetime,
    settings: Settings,
    patient_id: int | None = None,
) -> Slots:
    """The free slots between two local dates (inclusive) that a booking would get now.

    For a patient, the slots they may book (their own waitlist hold included, times they are busy left out);
    staff get the same view of the patient they name in `patient_id` (else a view that no hold shows in).
    The actor's account is checked in the same statement when the actor says so (`check_in_statement`):
    a revoked one raises 401."""
    check_range(first, last, settings)
    if patient_id is not None:
        check_named_patient(session, actor, patient_id)
    elif actor.is_patient:
        patient_id = actor.user_id
    # Pad the UTC range: the clinic's zone is only known after the query (no offset exceeds 14 h), and an
    # appointment that starts before the range (at most 8 h + 4 h of buffer) may still block into it.
    # Filtering on starts_at alone keeps to the (doctor_id, starts_at) index.
    lo = datetime(first.year, first.month, first.day, tzinfo=timezone.utc) - timedelta(days=2)
    hi = datetime(last.year, last.month, last.day, tzinfo=timezone.utc) + timedelta(days=2)
    key = (doctor_id, service_id, first, last)
    cached = FREE_SLOTS.get(key)
    params = {
        "doctor_id": doctor_id,
        "service_id": service_id,
        "lo": lo,
        "hi": hi,
        "now": now,
        "patient_id": patient_id,
        "first": first,
        "last": last,
        "known": cached.version if cached else -1,
    }
    held, *row = store.slots_row(session, params, actor)
    if not held:
        raise revoked()
    if row[1] is None:
        raise NotFound("No such doctor or service.")
    available, tz_name, duration_min, buffer_min, hours, overrides, version = row[:7]
    if not available:
        return Slots(tz_name)
    basis = _basis(tz_name, duration_min, buffer_min, hours, overrides)
    if cached is None or version != cached.version or basis != cached.basis:
        if cached is not None and version == cached.version:
            # Same busy times, other hours, zone or service length: the statement skipped the busy
            # intervals, so ask again for them (rare: only right after such an edit).
            held, *row = store.slots_row(session, {**params, "known": -1}, actor)
            if not held:
                raise revoked()
            available, tz_name, duration_min, buffer_min, hours, overrides, version = row[:7]
            if not available:
                return Slots(tz_name)
            basis = _basis(tz_name, duration_min, buffer_min, hours, overrides)
        busy_a, busy_b, off_a, off_b = row[7:11]
        cached = build(version, basis, first, last, (busy_a, busy_b), (off_a, off_b))
        FREE_SLOTS.put(key, cached)
    held_a, held_b, mine_a, mine_b = row[11:]
    duration = basis.duration
    blocked = engine.blocked_starts((held_a, held_b, duration + basis.buffer), (mine_a, mine_b, duration))
    window = Window.at(now, settings)
    return Slots(tz_name, duration, cached, tuple(cached.between(window.earliest, window.latest, blocked)))
