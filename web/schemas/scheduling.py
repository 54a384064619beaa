"""Request/response schemas for clinics, services, doctors, hours, time off and slots."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from functools import lru_cache
from itertools import accumulate
from weakref import WeakKeyDictionary

from pydantic import AwareDatetime, EmailStr, Field, RootModel

from clinic.availability.service import Slots, zone

from web.schemas.appointments import AppointmentOut
from web.schemas.common import (
    CalendarDate,
    Changes,
    DateText,
    Id,
    Line,
    Moment,
    NewPassword,
    Out,
    PublicPhone,
    QueryId,
    Serialised,
    Strict,
    Text,
    json_int,
)

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ClinicIn(Strict):
    name: Line = Field(min_length=1, max_length=200)
    timezone: Line = Field(min_length=1, max_length=64, description="IANA zone, e.g. Europe/Madrid")
    address: Line | None = Field(default=None, max_length=1000)
    phone: PublicPhone | None = Field(
        default=None,
        description="shown to patients; with the country code, e.g. +34 910 000 000 (checked, kept as typed)",
    )


class ClinicPatch(Changes):
    name: Line | None = Field(default=None, min_length=1, max_length=200)
    timezone: Line | None = Field(default=None, min_length=1, max_length=64)
    address: Line | None = Field(default=None, max_length=1000)
    phone: PublicPhone | None = None


class ClinicOut(Out):
    id: int
    name: str
    timezone: str
    address: str | None = None
    phone: str | None = None
    change_cutoff_hours: int = Field(
        description=(
            "patients may move or cancel until this many hours before the start; a later cancellation (allowed up "
            "to the start) is a late one"
        )
    )


class ClinicList(RootModel[list[ClinicOut]]):
    pass


class ServiceIn(Strict):
    name: Line = Field(min_length=1, max_length=200)
    duration_minutes: json_int(ge=5, le=480)
    buffer_minutes: json_int(ge=0, le=240) = 0


class ServicePatch(Changes):
    name: Line | None = Field(default=None, min_length=1, max_length=200)
    duration_minutes: json_int(ge=5, le=480) | None = None
    buffer_minutes: json_int(ge=0, le=240) | None = None
    active: bool | None = Field(default=None, strict=True)  # strict: 1 or "yes" is not a boolean


class ServiceOut(Out):
    id: int
    name: str
    duration_minutes: int
    buffer_minutes: int
    active: bool = True


class ServiceList(RootModel[list[ServiceOut]]):
    pass


class DoctorIn(Strict):
    email: EmailStr
    password: NewPassword | None = Field(
        default=None,
        description="Without it the doctor is emailed a link (valid 7 days) to set their own password: an invitation.",
    )
    full_name: Line = Field(min_length=1, max_length=200)
    specialty: Line = Field(min_length=1, max_length=120)
    clinic_id: Id
    service_ids: list[Id] = Field(default_factory=list, max_length=100)


class DoctorPatch(Changes):
    specialty: Line | None = Field(default=None, min_length=1, max_length=120)
    clinic_id: Id | None = None
    service_ids: list[Id] | None = Field(default=None, max_length=100)
    active: bool | None = Field(default=None, strict=True)  # strict: 1 or "yes" is not a boolean


class NextAvailable(Out):
    service_id: int
    starts_at: AwareDatetime = Field(description="in the clinic's zone")


class DoctorOut(Out):
    id: int
    user_id: int
    full_name: str
    specialty: str
    clinic_id: int
    service_ids: list[int]
    clinic_name: str
    clinic_timezone: str
    active: bool
    next_available: NextAvailable | None = Field(
        default=None,
        description=(
            "in lists: the earliest free slot within the next 62 days over the doctor's services (the "
            "`service_id` filter's only, when given), as the caller could book it; null when none"
        ),
    )


class DoctorList(RootModel[list[DoctorOut]]):
    pass


class DoctorQuery(Strict):
    specialty: Line | None = Field(default=None, max_length=120)
    clinic_id: QueryId | None = None
    service_id: QueryId | None = None


class WorkingHoursItem(Strict):
    weekday: json_int(ge=0, le=6) = Field(description="0 = Monday")  # a JSON integer: `true` is not Tuesday
    start: Line = Field(pattern=HHMM, description='"HH:MM", local to the clinic')
    end: Line = Field(pattern=HHMM, description='"HH:MM", local to the clinic')

    def times(self) -> tuple[time, time]:
        return time.fromisoformat(self.start), time.fromisoformat(self.end)


class WorkingHoursIn(RootModel[list[WorkingHoursItem]]):
    root: list[WorkingHoursItem] = Field(max_length=100)


class WorkingHoursOut(Out):
    weekday: int
    start: str
    end: str


class WorkingHoursList(RootModel[list[WorkingHoursOut]]):
    pass


class HoursRange(Strict):
    start: Line = Field(pattern=HHMM, description='"HH:MM", local to the clinic')
    end: Line = Field(pattern=HHMM, description='"HH:MM", local to the clinic')

    def times(self) -> tuple[time, time]:
        return time.fromisoformat(self.start), time.fromisoformat(self.end)


class DateOverrideIn(Strict):
    date: CalendarDate = Field(description="YYYY-MM-DD, a local date in the clinic's zone")
    ranges: list[HoursRange] = Field(
        max_length=24,
        description="that date's hours, replacing the weekday's; empty: the doctor does not work that date",
    )


class HoursRangeOut(Out):
    start: str
    end: str


class DateOverrideOut(Out):
    date: str = Field(description="YYYY-MM-DD")
    ranges: list[HoursRangeOut] = Field(description="empty: a day off")


class DateOverrideList(RootModel[list[DateOverrideOut]]):
    pass


class TimeOffPreviewIn(Strict):
    starts_at: Moment
    ends_at: Moment


class TimeOffPreviewOut(Out):
    affected_appointments: list[AppointmentOut] = Field(
        description="the booked appointments this time off would cancel, in start order (staff see no reasons)"
    )


class TimeOffIn(Strict):
    starts_at: Moment
    ends_at: Moment
    reason: Text | None = Field(default=None, max_length=500)


class TimeOffOut(Out):
    id: int
    doctor_id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str | None = None


class TimeOffCreated(TimeOffOut):
    affected_appointments: int = Field(description="how many booked appointments will be cancelled")
    affected_appointment_ids: list[int]


class TimeOffList(RootModel[list[TimeOffOut]]):
    pass


class SlotsQuery(Strict):
    service_id: QueryId
    from_: DateText = Field(alias="from", description="YYYY-MM-DD, clinic time zone")
    to: DateText = Field(description="YYYY-MM-DD, inclusive, at most 62 days after from")
    patient_id: QueryId | None = Field(
        default=None,
        description=(
            "staff: the slots this patient could book (their waitlist hold shown, their own appointments left out); "
            "a patient may name only themself; an id that is not a patient's answers 404"
        ),
    )


class Slot(Out):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class SlotsOut(Out):
    timezone: str
    slots: list[Slot]


def slots_json(found: Slots) -> Serialised:
    """The SlotsOut answer for the availability engine's data, written fast (SpecTree sends it as it is: see
    `Serialised`; tests/scheduling check it against SlotsOut and zoneinfo's own formatting).

    Each doctor-wide entry of the per-process slot cache (clinic.availability.cache.FreeSlots, never changed)
    is written as JSON once, its slot objects joined by "," with the place where each starts; a request then
    joins slices of it, whatever the caller's holds, notice and own appointments took out."""
    head = b'{"timezone":' + json.dumps(found.timezone).encode() + b',"slots":['
    if found.free is None or not found.runs:
        return Serialised(head + b"]}")
    text, offsets = _written(found.free, found.timezone, found.duration)
    return Serialised(head + b",".join(text[offsets[i] : offsets[j] - 1] for i, j in found.runs) + b"]}")


_WRITTEN: WeakKeyDictionary = WeakKeyDictionary()  # FreeSlots -> (its slot objects as JSON, where each starts)


def _written(free, tz_name: str, duration: int) -> tuple[bytes, list[int]]:
    written = _WRITTEN.get(free)
    if written is None:
        parts = [
            ('{"starts_at":"%s","ends_at":"%s"}' % (_iso(tz_name, t), _iso(tz_name, t + duration))).encode()
            for t in free.starts
        ]
        written = _WRITTEN[free] = b",".join(parts) + b",", [0, *accumulate(len(p) + 1 for p in parts)]
    return written


_HHMM = [f"T{m // 60:02d}:{m % 60:02d}:00" for m in range(24 * 60)]


def _iso(tz_name: str, t: int) -> str:
    """`datetime.fromtimestamp(t, zone).isoformat()`, from tables on all but the rare instants it cannot be."""
    off = _offset(tz_name, t // _BUCKET)
    if off is not None and not off % 60:
        day, seconds = divmod(t + off, 86400)
        if not seconds % 60:
            return _day(day) + _HHMM[seconds // 60] + _suffix(off)
    return datetime.fromtimestamp(t, zone(tz_name)).isoformat()


_BUCKET = 900  # seconds: a zone's offset changes at most once in a quarter of an hour, and on one of its edges


@lru_cache(maxsize=65536)
def _offset(tz_name: str, bucket: int) -> int | None:
    """The zone's UTC offset (seconds) throughout [bucket * _BUCKET, (bucket + 1) * _BUCKET), or None when it
    changes inside it."""
    tz = zone(tz_name)
    first, last = (datetime.fromtimestamp(t, tz).utcoffset() for t in (bucket * _BUCKET, (bucket + 1) * _BUCKET - 1))
    return int(first.total_seconds()) if first == last else None


@lru_cache(maxsize=4096)
def _day(number: int) -> str:
    return date.fromordinal(number + _EPOCH_ORDINAL).isoformat()


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=128)
def _suffix(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    offset = abs(offset)
    return f"{sign}{offset // 3600:02d}:{offset % 3600 // 60:02d}"
