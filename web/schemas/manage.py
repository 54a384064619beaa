"""Request/response schemas of the manage links (no sign-in)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from web.schemas.common import DateText, Moment, Out, Strict, Text


class ManageMoveIn(Strict):
    starts_at: Moment = Field(description="ISO 8601 with an explicit offset; one of the slots of /slots")


class ManageCancelIn(Strict):
    reason: Text | None = Field(default=None, max_length=1000)


class ManageSlotsQuery(Strict):
    from_: DateText = Field(alias="from", description="YYYY-MM-DD, clinic time zone")
    to: DateText = Field(description="YYYY-MM-DD, inclusive, at most 62 days after from")


class CalendarLinks(Out):
    google: str
    outlook: str
    ics: str = Field(description="path of the .ics download (GET, same token)")


class ManageOut(Out):
    """The appointment behind a link (kind `appointment`), or the slot a waitlist offer holds (kind `offer`,
    without an id until accepted). Nothing clinical (no reason) and nothing about the account."""

    kind: Literal["appointment", "offer"]
    id: int | None = Field(description="the appointment's id; null for an offer")
    status: Literal["booked", "cancelled", "completed", "no_show", "offered"]
    doctor_id: int | None = None
    service_id: int | None = None
    clinic_id: int | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    timezone: str
    doctor_name: str
    service_name: str
    patient_name: str | None = None
    clinic_name: str
    clinic_address: str | None = None
    sequence: int | None = None
    late_cancellation: bool = False
    cancelled_at: AwareDatetime | None = None
    change_until: AwareDatetime | None = Field(default=None, description="moves are possible until then")
    can_change: bool = False
    can_cancel: bool = False
    late_if_cancelled: bool = Field(default=False, description="a cancellation now counts as late")
    hold_expires_at: AwareDatetime | None = Field(default=None, description="an offer: held until then")
    calendar: CalendarLinks | None = None
    manage_token: str | None = Field(
        default=None,
        description=("after accepting an offer: the token of the new appointment's own manage link (`/a/<token>`)"),
    )
