"""Shared request/response schema pieces."""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator


class Strict(BaseModel):
    """Request bodies reject unknown fields, so a typo (or a smuggled `role`) is a 422, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        # PostgreSQL text cannot hold NUL; refuse it here as the client's mistake.
        if isinstance(value, str) and "\x00" in value or isinstance(value, list) and any(
                isinstance(item, str) and "\x00" in item for item in value):
            raise ValueError("must not contain NUL characters")
        return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, defer_build=True)


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(BaseModel):
    error: ErrorDetail


class Status(BaseModel):
    status: str


BIGINT_MAX = 2**63 - 1  # ids are BIGINT: a larger one can match no row (and would be a database error)
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
YEARS = range(1900, 9001)  # far enough either way; datetime's own edges would overflow zone arithmetic


def parse_date(value: str | None) -> date | None:
    """A plain `YYYY-MM-DD` (no time part) within the supported years."""
    if value is None:
        return None
    if not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError as err:
        raise ValueError("must be a date YYYY-MM-DD") from err
    if parsed.year not in YEARS:
        raise ValueError("must be a date between 1900 and 9000")
    return parsed


def _calendar_date(value):
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date YYYY-MM-DD")
    return parse_date(value)


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
"""A plain `YYYY-MM-DD` (no time part) within the supported years."""
