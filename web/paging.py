"""Paged listings over HTTP: the `Link: <…>; rel="next"` header (RFC 8288) and its OpenAPI description."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, request
from spectree import Response

from clinic.keyset import Position

LINK_HEADER = {
    "Link": {
        "description": 'Present when more rows match: `<URL>; rel="next"`, the next page. The URL starts with '
        "PUBLIC_URL and keeps every filter of this request; follow it until no Link comes back.",
        "schema": {"type": "string"},
    },
}


def next_link(after: Position | None) -> dict[str, str]:
    """The response headers pointing at the page after `after` (none when this page was the last): this
    request's URL under PUBLIC_URL with the same parameters, in the same order, and the new cursor."""
    if after is None:
        return {}
    params = [(key, value) for key, value in request.args.items(multi=True) if key != "cursor"]
    params.append(("cursor", after.encode()))
    base = current_app.config["SETTINGS"].public_url
    return {"Link": f'<{base}{request.path}?{urlencode(params)}>; rel="next"'}


class PagedResponse(Response):
    """SpecTree's Response, whose 200 also documents the `Link` header (SpecTree has no field for it)."""

    def generate_spec(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        responses = super().generate_spec(*args, **kwargs)
        if "200" in responses:
            responses["200"]["headers"] = LINK_HEADER
        return responses
