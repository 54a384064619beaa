"""Shared request/response schema pieces."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, NamedTuple

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from clinic.errors import Invalid
from clinic.sms.phones import to_e164

# Control characters: C0, DEL, C1 and Unicode's line and paragraph separators. JSON Schema (ECMA 262) spelling,
# which Python's `re` reads the same way.
_CONTROL = r"\u0000-\u001f\u007f-\u009f\u2028\u2029"
# The same, less tab, line feed and carriage return: what multi-line text may hold.
_CONTROL_IN_TEXT = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
LINE_PATTERN = rf"^[^{_CONTROL}]*$"
TEXT_PATTERN = rf"^[^{_CONTROL_IN_TEXT}]*$"


def _refusing(pattern: str, message: str):
    """A before-validator: it sees the raw value, before whitespace is stripped, as the document's pattern does."""
    allowed = re.compile(pattern)

    def check(value):
        if isinstance(value, str) and not allowed.fullmatch(value):
            raise PydanticCustomError("control_characters", message)
        return value

    return BeforeValidator(check)


Line = Annotated[
    str,
    _refusing(LINE_PATTERN, "must be a single line without control characters"),
    Field(json_schema_extra={"pattern": LINE_PATTERN}),
]
"""Single-line text (names, titles, addresses, phones, search terms): no line breaks, tabs or other control
characters, which would break the calendars, emails and logs that carry it. Every such request field uses it."""

Text = Annotated[
    str,
    _refusing(TEXT_PATTERN, "must not contain control characters other than line breaks and tabs"),
    Field(json_schema_extra={"pattern": TEXT_PATTERN}),
]
"""Multi-line free text (reasons, notes): line breaks and tabs allowed, no other control character."""


def field_error(field: str, code: str, message: str) -> PydanticCustomError:
    """The error of a check across fields (a model validator), blaming `field` (see web.validation)."""
    return PydanticCustomError(code, message, {"field": field})


def _phone(keep_as_typed: bool):
    """An after-validator: a phone number with its country code (libphonenumber), stored in E.164
    (`+34600112233`, what SMS needs) or, for numbers people read (a clinic's), as it was typed."""

    def check(value):
        if value in (None, ""):
            return None
        try:
            number = to_e164(value)
        except Invalid:
            raise PydanticCustomError(
                "invalid_phone", "must be a phone number in international format, e.g. +34600112233"
            ) from None
        return value if keep_as_typed else number

    return AfterValidator(check)


# The length limit comes before the check, which turns "" into None.
Phone = Annotated[
    Line,
    Field(max_length=40, description="E.164 with the country code, e.g. `+34600112233` (checked with libphonenumber)"),
    _phone(keep_as_typed=False),
]
PublicPhone = Annotated[
    Line,
    Field(max_length=40, description="with the country code, e.g. +34 910 000 000 (checked, kept as typed)"),
    _phone(keep_as_typed=True),
]


class Strict(BaseModel):
    """Request bodies reject unknown fields, so a typo (or a smuggled `role`) is a 422, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        # PostgreSQL text cannot hold NUL; refuse it here as the client's mistake.
        if (
            isinstance(value, str)
            and "\x00" in value
            or isinstance(value, list)
            and any(isinstance(item, str) and "\x00" in item for item in value)
        ):
            raise ValueError("must not contain NUL characters")
        return value


# The password policy (clinic.identity.passwords) decides; the document states it and its length limits.
NewPassword = Annotated[
    str,
    Field(
        max_length=200,
        json_schema_extra={"minLength": 8, "maxLength": 72},
        description=(
            "At least 8 characters and at most 72 bytes in UTF-8; refused (422 `weak_password`, `fields.<field>` one "
            "of too_short, too_long, too_common, too_personal, too_weak; `message` in the body's `locale`, else "
            "Accept-Language, else Spanish) when it is among the 100,000 most common passwords, made of the account's "
            "email, name or a clinic's name, or guessable in under 10^8 tries (zxcvbn)."
        ),
    ),
]


class Changes(Strict):
    """A PATCH body: it must name at least one change (`{}`, like no body at all, is refused)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _changes_something(self):
        if not self.model_fields_set:
            raise PydanticCustomError("no_changes", "name at least one field to change")
        return self


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, defer_build=True)


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = Field(
        default={},
        description=(
            "The fields at fault, each with a stable snake_case code for clients to translate: required, "
            "not_accepted, too_short, too_long, invalid_email, control_characters, invalid_number, out_of_range, "
            "invalid_date, not_allowed_value, invalid_type, taken, wrong, before_start, in_past, invalid, and the "
            "password policy's too_common, too_personal, too_weak. `message` explains in words."
        ),
    )


class ErrorOut(BaseModel):
    error: ErrorDetail


class Status(BaseModel):
    status: str


def _json_integer(value):
    """What JSON Schema calls an integer: 5 or 5.0, never "5", true or 5.5 (pydantic's lax mode takes the first
    two, strict mode refuses 5.0: both would disagree with the document)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("int_type", "must be an integer")
    return value


BIGINT_MAX = 2**63 - 1  # ids are BIGINT: a larger one can match no row (and would be a database error)


def json_int(**limits):
    """An integer in a JSON body, within `limits` (ge, le). The limits come first so that pydantic applies
    them to the integer itself and the document shows them as minimum and maximum."""
    return Annotated[int, Field(**limits), BeforeValidator(_json_integer)]


Id = json_int(ge=1, le=BIGINT_MAX)
"""An id in a JSON body."""
QueryId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
"""An id in a query string (where every value arrives as text)."""

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
YEARS = range(1900, 9001)  # far enough either way; datetime's own edges would overflow zone arithmetic
_YEAR = "(19[0-9]{2}|[2-8][0-9]{3}|9000)"
DATE_PATTERN = rf"^{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
MOMENT_PATTERN = rf"^{_YEAR}-"


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


_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": DATE_PATTERN}

CalendarDate = Annotated[date, BeforeValidator(_calendar_date), WithJsonSchema(_DATE_SCHEMA)]
"""A plain `YYYY-MM-DD` (no time part) within the supported years, as a date."""


def _date_text(value: str) -> str:
    parse_date(value)
    return value


DateText = Annotated[str, AfterValidator(_date_text), WithJsonSchema(_DATE_SCHEMA)]
"""The same, kept as the text the client sent (query strings)."""


def _text_only(value):
    if not isinstance(value, str):  # pydantic would read a number as a Unix time
        raise PydanticCustomError("datetime_type", "must be an ISO 8601 date and time with an offset")
    return value


def _sane_moment(value: datetime) -> datetime:
    if value.year not in YEARS:
        raise ValueError("must be between the years 1900 and 9000")
    return value


Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_text_only),
    AfterValidator(_sane_moment),
    Field(json_schema_extra={"pattern": MOMENT_PATTERN}),
]
"""An instant: ISO 8601 with an explicit offset, within the supported years."""


class Serialised(NamedTuple):
    """A response body that a schema's own serialiser wrote from the domain's data (e.g. web.schemas.scheduling
    .slots_json): SpecTree sends it as it is, with its status, instead of validating it again
    (web.spectree_adapter), which for a month of slots would cost more than writing it. Such a serialiser is
    tested against its schema."""

    body: bytes
