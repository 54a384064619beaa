"""URL converters: ids that PostgreSQL cannot hold never reach it."""

from __future__ import annotations

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, PathConverter

from web.schemas.common import BIGINT_MAX


class BigIntConverter(IntegerConverter):
    """`<int:id>`: ids are 1..BIGINT_MAX. Any other whole number (0, -1, 2^63) names no resource: 404, whatever
    the method. The rule still matches it, so that no other rule (the frontend's catch-all GET) answers
    instead, or a 405 for the methods that one lacks."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=True):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, signed=signed)

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if not 1 <= number <= BIGINT_MAX:
            raise NotFound()
        return number


def id_parameter() -> dict:
    """The JSON Schema of an id in a path."""
    return {"type": "integer", "format": "int64", "minimum": 1, "maximum": BIGINT_MAX}


class AppPathConverter(PathConverter):
    """`<app:path>`: a path of the built frontend, anything but the API's own (`api`, `api/...`). An API URL
    that no API rule matches is then a 404 whatever the method, never a 405 naming the frontend's GET."""

    regex = r"(?!api(?:/|$))[^/].*?"
