"""Request/response schemas for clinics, services, doctors, hours, time off and slots."""
from __future__ import annotations

from datetime import time

from pydantic import AwareDatetime, EmailStr, Field, PrivateAttr, RootModel

from web.schemas.appointments import AppointmentOut
from web.schemas.common import (CalendarDate, Changes, DateText, Id, Line, Moment, NewPassword, Out, PublicPhone, QueryId,
                                Strict, Text,
                                json_int)

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ClinicIn(Strict):
    name: Line = Field(min_length=1, max_length=200)
    timezone: Line = Field(min_length=1, max_length=64, description="IANA zone, e.g. Europe/Madrid")
    address: Line | None = Field(default=None, max_length=1000)
    phone: PublicPhone | None = Field(default=None, description="shown to patients; with the country code, e.g. +34 910 000 000 (checked, kept as typed)")


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
    change_cutoff_hours: int = Field(description=(
        "patients may move or cancel until this many hours before the start; a later cancellation (allowed up "
        "to the start) is a late one"))


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
    password: NewPassword | None = Field(default=None, description="Without it the doctor is emailed a link "
                                         "(valid 7 days) to set their own password: an invitation.")
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
    next_available: NextAvailable | None = Field(default=None, description=(
        "in lists: the earliest free slot within the next 62 days over the doctor's services (the "
        "`service_id` filter's only, when given), as the caller could book it; null when none"))


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
    ranges: list[HoursRange] = Field(max_length=24, description="that date's hours, replacing the weekday's; "
                                     "empty: the doctor does not work that date")


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
    affected_appointments: list[AppointmentOut] = Field(description="the booked appointments this time off would "
                                                        "cancel, in start order (staff see no reasons)")


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
    patient_id: QueryId | None = Field(default=None, description=(
        "staff: the slots this patient could book (their waitlist hold shown, their own appointments left out); "
        "a patient may name only themself; an id that is not a patient's answers 404"))


class Slot(Out):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class SlotsOut(Out):
    timezone: str
    slots: list[Slot]


class PrebuiltSlots(SlotsOut):
    """A SlotsOut whose JSON the availability engine already wrote: re-validating a month of slots would
    cost more than computing it. The engine's output is checked against SlotsOut in the tests."""

    _json: str = PrivateAttr(default="")

    @classmethod
    def of(cls, raw: str) -> "PrebuiltSlots":
        instance = cls.model_construct(timezone="", slots=[])
        instance._json = raw
        return instance

    def model_dump_json(self, **kwargs) -> str:  # noqa: ARG002 - spectree calls it without options
        return self._json
