"""URL converters: ids that PostgreSQL cannot hold never reach it."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from web.schemas.common import BIGINT_MAX


class BigIntConverter(IntegerConverter):
    """`<int:id>` matches 0..BIGINT_MAX only; anything larger is simply no such resource (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=BIGINT_MAX if max is None else max,
                         signed=signed)
