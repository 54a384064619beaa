"""Request/response schemas for clinics, services, doctors, hours, time off and slots."""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import Annotated

from pydantic import (AfterValidator, AwareDatetime, EmailStr, Field, PrivateAttr, RootModel, StrictInt, field_validator,
                      model_validator)

from web.schemas.common import YEARS, Id, Out, Strict, parse_date


HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _sane_moment(value: datetime) -> datetime:
    if value.year not in YEARS:
        raise ValueError("must be between the years 1900 and 9000")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_sane_moment)]


class ClinicIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field(min_length=1, max_length=64, description="IANA zone, e.g. Europe/Madrid")
    address: str | None = Field(default=None, max_length=1000)


class ClinicPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    address: str | None = Field(default=None, max_length=1000)


class ClinicOut(Out):
    id: int
    name: str
    timezone: str
    address: str | None = None


class ClinicList(RootModel[list[ClinicOut]]):
    pass


class ServiceIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    duration_minutes: StrictInt = Field(ge=5, le=480)
    buffer_minutes: StrictInt = Field(default=0, ge=0, le=240)


class ServicePatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    duration_minutes: StrictInt | None = Field(default=None, ge=5, le=480)
    buffer_minutes: StrictInt | None = Field(default=None, ge=0, le=240)
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
    password: str = Field(min_length=1, max_length=200)
    full_name: str = Field(min_length=1, max_length=200)
    specialty: str = Field(min_length=1, max_length=120)
    clinic_id: Id
    service_ids: list[Id] = Field(default_factory=list, max_length=100)


class DoctorPatch(Strict):
    specialty: str | None = Field(default=None, min_length=1, max_length=120)
    clinic_id: Id | None = None
    service_ids: list[Id] | None = Field(default=None, max_length=100)
    active: bool | None = Field(default=None, strict=True)  # strict: 1 or "yes" is not a boolean


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


class DoctorList(RootModel[list[DoctorOut]]):
    pass


class DoctorQuery(Strict):
    specialty: str | None = Field(default=None, max_length=120)
    clinic_id: Id | None = None
    service_id: Id | None = None


class WorkingHoursItem(Strict):
    weekday: int = Field(ge=0, le=6, strict=True, description="0 = Monday")  # strict: `true` is not Tuesday
    start: str = Field(description='"HH:MM", local to the clinic')
    end: str = Field(description='"HH:MM", local to the clinic')

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not HHMM.match(value):
            raise ValueError('must be "HH:MM"')
        return value

    def times(self) -> tuple[time, time]:
        return time.fromisoformat(self.start), time.fromisoformat(self.end)


class WorkingHoursIn(RootModel[list[WorkingHoursItem]]):
    root: list[WorkingHoursItem] = Field(max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _empty(cls, value):
        # SpecTree reads a body with `get_json() or {}`, so an empty list arrives as {}; the view checks
        # that the body really was an array.
        return [] if value == {} else value


class WorkingHoursOut(Out):
    weekday: int
    start: str
    end: str


class WorkingHoursList(RootModel[list[WorkingHoursOut]]):
    pass


class TimeOffIn(Strict):
    starts_at: Moment
    ends_at: Moment
    reason: str | None = Field(default=None, max_length=500)


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
    service_id: Id
    from_: str = Field(alias="from", pattern=ISO_DATE, description="YYYY-MM-DD, clinic time zone")
    to: str = Field(pattern=ISO_DATE, description="YYYY-MM-DD, inclusive, at most 62 days after from")
    patient_id: Id | None = Field(default=None, description=(
        "staff: the slots this patient could book (their waitlist hold shown, their own appointments left out); "
        "a patient may name only themself; an id that is not a patient's answers 404"))

    @field_validator("from_", "to")
    @classmethod
    def _date(cls, value: str) -> str:
        parse_date(value)
        return value


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
