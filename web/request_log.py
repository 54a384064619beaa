"""Access log lines with a request id; routes are logged as templates, never raw paths."""
from __future__ import annotations

import logging
import secrets
import time

from flask import Flask, g, request


def init_app(app: Flask) -> None:
    access_log = logging.getLogger("web.access")

    @app.before_request
    def start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else secrets.token_hex(16)
        g.started = time.perf_counter()

    @app.after_request
    def finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if app.config.get("ACCESS_LOG", True):
            rule = request.url_rule.rule if request.url_rule else "<unmatched>"
            access_log.info("request", extra={
                "request_id": g.get("request_id"), "method": request.method, "route": rule,
                "status": response.status_code,
                "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2)})
        return response
