"""Security headers on every response."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"

COMMON = (
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
API = (*COMMON, ("Content-Security-Policy", API_CSP), ("Cache-Control", "no-store"))
API_DOCS = (*COMMON, ("Cache-Control", "no-store"))
PAGES = (*COMMON, ("Content-Security-Policy", CSP))


def _for_request() -> tuple[tuple[str, str], ...]:
    if not request.path.startswith("/api/"):
        return PAGES
    docs = request.endpoint and request.endpoint.startswith("openapi_")
    return API_DOCS if docs else API


def missing(present: Iterable[str], defaults: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The default headers a response does not set itself (a view's own value, e.g. a feed's Cache-Control, wins)."""
    have = {key.lower() for key in present}
    return [(key, value) for key, value in defaults if key.lower() not in have]


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response):
        h = response.headers
        if response.status_code not in (429, 503):
            h.pop("Retry-After", None)  # the limiter adds it to every response; it only means something on these
        for key, value in missing(h.keys(), _for_request()):
            h.add(key, value)
        return response
