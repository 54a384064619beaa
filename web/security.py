"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response):
        h = response.headers
        if response.status_code not in (429, 503):
            h.pop("Retry-After", None)  # the limiter adds it to every response; it only means something on these
        h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith("/api/"):
            docs = request.endpoint and request.endpoint.startswith("openapi_")
            if not docs:
                h.setdefault("Content-Security-Policy", API_CSP)
            h.setdefault("Cache-Control", "no-store")
        else:
            h.setdefault("Content-Security-Policy", CSP)
        return response
