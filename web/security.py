"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"

COMMON = (("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
          ("X-Content-Type-Options", "nosniff"),
          ("Referrer-Policy", "strict-origin-when-cross-origin"),
          ("X-Frame-Options", "DENY"),
          ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
API = (*COMMON, ("Content-Security-Policy", API_CSP), ("Cache-Control", "no-store"))
API_DOCS = (*COMMON, ("Cache-Control", "no-store"))
PAGES = (*COMMON, ("Content-Security-Policy", CSP))


def _for_request() -> tuple[tuple[str, str], ...]:
    if not request.path.startswith("/api/"):
        return PAGES
    docs = request.endpoint and request.endpoint.startswith("openapi_")
    return API_DOCS if docs else API


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response):
        h = response.headers
        if response.status_code not in (429, 503):
            h.pop("Retry-After", None)  # the limiter adds it to every response; it only means something on these
        present = {key.lower() for key in h.keys()}
        for key, value in _for_request():  # a view's own value (e.g. a feed's Cache-Control) wins
            if key.lower() not in present:
                h.add(key, value)
        return response
