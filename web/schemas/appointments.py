"""Request/response schemas for appointments."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, RootModel, field_validator, model_validator

from clinic import keyset
from clinic.appointments.views import MAX_LIMIT
from web.schemas.common import DateText, Id, Line, Moment, Out, QueryId, Strict, Text, field_error

Status = Literal["booked", "cancelled", "completed", "no_show"]


class BookIn(Strict):
    doctor_id: Id
    service_id: Id
    starts_at: Moment = Field(description="ISO 8601 with an explicit offset; one of the doctor's slots")
    patient_id: Id | None = Field(default=None, description="required for staff; patients book for themselves")
    reason: Text | None = Field(default=None, max_length=1000)


class RescheduleIn(Strict):
    starts_at: Moment


class CancelIn(Strict):
    reason: Text | None = Field(default=None, max_length=1000)


class AttendanceIn(Strict):
    status: Literal["completed", "no_show"]


class AppointmentOut(Out):
    id: int
    doctor_id: int
    patient_id: int
    service_id: int
    clinic_id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    status: Status
    reason: str | None = None
    sequence: int
    timezone: str
    doctor_name: str
    patient_name: str
    service_name: str
    late_cancellation: bool = False
    cancelled_at: AwareDatetime | None = None
    cancellation_reason: str | None = None
    confirmation: Literal["confirmed", "unconfirmed", "cancelled_by_sms"] = Field(
        default="unconfirmed",
        description="The patient's answer to the reminders: `confirmed` (replied SI/YES), "
        "`cancelled_by_sms` (replied NO) or `unconfirmed` (no answer yet)",
    )
    confirmed_at: AwareDatetime | None = None


class AppointmentList(RootModel[list[AppointmentOut]]):
    pass


class AppointmentQuery(Strict):
    from_: DateText | None = Field(default=None, alias="from", description="YYYY-MM-DD, clinic zone")
    to: DateText | None = Field(default=None, description="YYYY-MM-DD, inclusive")
    clinic_id: QueryId | None = Field(default=None, description="only this clinic's appointments")
    doctor_id: QueryId | None = None
    patient_id: QueryId | None = None
    status: Status | None = None
    limit: int = Field(default=100, ge=1, le=MAX_LIMIT, description=f"rows per page (at most {MAX_LIMIT})")
    cursor: Line | None = Field(
        default=None, max_length=200, description='opaque: copy it from the `Link: rel="next"` header, never build it'
    )

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value is not None:
            keyset.decode(value)
        return value

    @property
    def after(self) -> keyset.Position | None:
        """Where the requested page starts: right after the cursor's row."""
        return keyset.decode(self.cursor) if self.cursor is not None else None

    @model_validator(mode="after")
    def _ordered(self):
        if self.from_ and self.to and self.to < self.from_:
            raise field_error("to", "before_start", "must not be before from")
        return self


class HistoryEntry(Out):
    id: int
    action: str
    at: AwareDatetime
    actor_id: int | None = None
    actor_name: str | None = None
    actor_role: str
    old_starts_at: AwareDatetime | None = None
    new_starts_at: AwareDatetime | None = None
    details: dict = {}


class HistoryList(RootModel[list[HistoryEntry]]):
    pass


class LateCancellationsOut(Out):
    patient_id: int
    late_cancellations: int
