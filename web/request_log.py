"""Access log lines with a request id; routes are logged as templates, never raw paths."""

from __future__ import annotations

import logging
import secrets
import time

from flask import Flask, g, request

access_log = logging.getLogger("web.access")


def request_id(incoming: str | None) -> str:
    """The caller's X-Request-ID when it is short and printable, else a new one."""
    incoming = incoming or ""
    return incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else secrets.token_hex(16)


def write(*, request_id: str, method: str, route: str, status: int, started: float, **more) -> None:
    """One access line (also written by the feed fast path, which answers in front of Flask)."""
    access_log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": method,
            "route": route,
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 2),
            **more,
        },
    )


def init_app(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        g.request_id = request_id(request.headers.get("X-Request-ID"))
        g.started = time.perf_counter()

    @app.after_request
    def finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if app.config.get("ACCESS_LOG", True):
            write(
                request_id=g.get("request_id"),
                method=request.method,
                route=request.url_rule.rule if request.url_rule else "<unmatched>",
                status=response.status_code,
                started=g.get("started", time.perf_counter()),
            )
        return response
