"""Request and response bodies of the medical-record and data-export endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, RootModel, StringConstraints

from web.schemas.common import Changes, Id, Line, Out, Strict, Text

Item = Annotated[Line, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Items = Annotated[list[Item], Field(max_length=200)]


class RecordPatchIn(Changes):
    allergies: Items | None = None
    conditions: Items | None = None
    medications: Items | None = None


class EntryIn(Strict):
    text: Text = Field(min_length=1, max_length=20000)
    appointment_id: Id | None = None
    corrects_id: Id | None = Field(default=None, description="The entry this one corrects (it stays unchanged).")


class BreakGlassIn(Strict):
    reason: Text = Field(min_length=5, max_length=2000)


class EntryOut(Out):
    id: int
    appointment_id: int | None
    author_id: int
    author_name: str = Field(description="who wrote it (the doctor's name)")
    text: str
    created_at: datetime
    corrects_id: int | None = None
    break_glass: bool = False


class PatientCardOut(Out):
    id: int
    full_name: str
    birth_date: date | None = None
    age: int | None = Field(default=None, description="Whole years on today's date (UTC).")


class RecordOut(Out):
    patient_id: int
    patient: PatientCardOut | None = Field(
        default=None,
        description="Who the record is about (in GET only): "
        "name, date of birth and age, under the record's access rule.",
    )
    allergies: list[str]
    conditions: list[str]
    medications: list[str]
    entries: list[EntryOut]
    version: int = Field(description="0 while the record has no structured data yet.")
    updated_at: datetime | None = None
    updated_by: int | None = None


class VersionOut(Out):
    version: int
    allergies: list[str]
    conditions: list[str]
    medications: list[str]
    author_id: int
    author_name: str
    break_glass: bool
    created_at: datetime


class VersionList(RootModel[list[VersionOut]]):
    pass


class AuditOut(Out):
    at: datetime
    actor_id: int | None
    action: str
    id: int
    actor_name: str | None
    actor_role: str
    outcome: str = Field(description="granted, denied or invalid")
    ip: str | None = Field(description="Shown to admins only.")
    break_glass: bool
    reason: str | None
    object_id: int | None


class AuditList(RootModel[list[AuditOut]]):
    pass


class BreakGlassOut(Out):
    id: int
    patient_id: int
    reason: str
    granted_at: datetime
    expires_at: datetime


class ExportOut(Out):
    id: str
    status: str = Field(description="pending, ready or failed")
    requested_at: datetime | None = None
    completed_at: datetime | None = None
    document: dict[str, Any] | None = Field(default=None, description="Everything held about you, once ready.")
