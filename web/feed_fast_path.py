"""Stored subscription feeds served in front of the Flask stack: one prepared indexed SELECT per request.

Calendar clients poll feeds all day, and the app's per-request work (auth, session, JSON parsing, commit)
costs more than the lookup itself. This middleware keeps what every answer needs: the security headers
(web/security.py), the request id and access line (web/request_log.py) and the default per-client rate
limit. That limit is counted in the web process's memory (4 µs a request; the app's limiter counts in Redis
at ~140 µs a round trip, a third of a 304's whole cost here): with W processes a client may poll one instance
W times the limit. Feeds are read-only documents behind unguessable tokens, so that bound is enough; what
writes or costs more keeps the shared Redis limit. Anything it cannot answer from a built document (unknown
token, not built yet, HEAD, a database error) falls through to the Flask view, which has the full behaviour.
"""

from __future__ import annotations

import json
import logging
import threading
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.exc import DBAPIError
from werkzeug.http import parse_accept_header, parse_date, parse_etags

from clinic.calendars import feeds
from clinic.db import ThreadConnections
from web import request_log, security
from web.ratelimit_keys import keyed_pseudonym

log = logging.getLogger("web.calendars")

FEED_PREFIX = "/api/calendar/"
ROUTE = "/api/calendar/<token>.ics"
MAX_TOKEN = 64
RETRY_SECONDS = 5.0
GZIP_TAG = "-gz"
# The whole Content-Type: pass it as `content_type`, never as `mimetype` (Flask appends "; charset=utf-8"
# to a text/* mimetype, which answered "charset=utf-8; charset=utf-8").
CALENDAR = "text/calendar; charset=utf-8"
RATE_LIMITED = json.dumps(
    {"error": {"code": "rate_limited", "message": "Too many requests; try again later.", "fields": {}}}
).encode()


def request_conditions(environ: dict) -> dict:
    """The request's conditional and encoding headers, as feeds.serve_built takes them."""
    inm = parse_etags(environ.get("HTTP_IF_NONE_MATCH")) if environ.get("HTTP_IF_NONE_MATCH") else None
    return {
        "etags": [f'"{tag.removesuffix(GZIP_TAG)}"' for tag in inm.as_set(include_weak=True)] if inm else [],
        "any_etag": bool(inm and inm.star_tag),
        "since": None if inm else parse_date(environ.get("HTTP_IF_MODIFIED_SINCE")),
        "gzip_ok": accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")),
    }


def accepts_gzip(value: str | None) -> bool:
    if not value or "gzip" not in value:
        return False
    return ";" not in value or parse_accept_header(value)["gzip"] > 0  # only parse when there are q-values


def answer(served: feeds.Served, *, gzipped: bool) -> tuple[int, list[tuple[str, str]], bytes]:
    # A strong ETag names one representation: the gzipped one gets its own (either one revalidates).
    etag = served.etag[:-1] + GZIP_TAG + '"' if gzipped else served.etag
    headers = [
        ("ETag", etag),
        ("Last-Modified", served.last_modified),
        ("Cache-Control", "private, no-cache"),
        ("Vary", "Accept-Encoding"),
    ]
    if served.not_modified:
        return 304, headers, b""
    headers.append(("Content-Type", CALENDAR))
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    return 200, headers, served.content


class FeedFastPath:
    """WSGI middleware; `app_wsgi` is the Flask stack it falls through to."""

    def __init__(
        self,
        app_wsgi,
        *,
        database_url: str,
        limit: str,
        key_secret: str,
        access_log: bool = True,
        limits_enabled: bool = True,
        prepared_statements: bool = True,
    ) -> None:
        self.app_wsgi = app_wsgi
        self.connections = ThreadConnections(database_url, prepared_statements=prepared_statements)
        self.retry_at = threading.local()
        self.limit = parse(limit)
        self.limiter = FixedWindowRateLimiter(MemoryStorage()) if limits_enabled else None
        self.key_secret = key_secret
        self.access_log = access_log

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not path.startswith(FEED_PREFIX) or not path.endswith(".ics"):
            return self.app_wsgi(environ, start_response)
        token = path[len(FEED_PREFIX) : -4]
        if not token or len(token) > MAX_TOKEN or "/" in token:
            return self.app_wsgi(environ, start_response)
        started = time.perf_counter()
        conditions = request_conditions(environ)
        retry_after = self._over_limit(environ.get("REMOTE_ADDR") or "")
        if retry_after is not None:
            status, headers, body = (
                429,
                [("Content-Type", "application/json"), ("Retry-After", str(retry_after))],
                RATE_LIMITED,
            )
        else:
            served = self._lookup(token, conditions)
            if served is None or served.content is None:
                return self.app_wsgi(environ, start_response)
            status, headers, body = answer(served, gzipped=conditions["gzip_ok"])
        return self._answer(environ, start_response, status, headers, body, started)

    def _answer(self, environ, start_response, status, headers, body, started):
        request_id = request_log.request_id(environ.get("HTTP_X_REQUEST_ID"))
        headers += security.missing((name for name, _ in headers), security.API)
        headers += [("Content-Length", str(len(body))), ("X-Request-ID", request_id)]
        start_response({200: "200 OK", 304: "304 Not Modified", 429: "429 Too Many Requests"}[status], headers)
        if self.access_log:
            request_log.write(
                request_id=request_id, method="GET", route=ROUTE, status=status, started=started, fast_path=True
            )
        return [body]

    def _over_limit(self, address: str) -> int | None:
        """Seconds until the client's window resets when it has used up the limit; None otherwise."""
        if self.limiter is None:
            return None
        key = keyed_pseudonym(self.key_secret, "ip", address)
        try:
            if self.limiter.hit(self.limit, "feed-fast-path", key):
                return None
            reset_at, _ = self.limiter.get_window_stats(self.limit, "feed-fast-path", key)
        except Exception:  # noqa: BLE001 — as the app's limiter (RATELIMIT_SWALLOW_ERRORS): no count, no limit
            return None
        return max(int(reset_at - time.time()), 1)

    def _lookup(self, token: str, conditions: dict) -> feeds.Served | None:
        if time.monotonic() < getattr(self.retry_at, "when", 0.0):
            return None  # the database failed us a moment ago: let the Flask view answer (503) meanwhile
        try:
            return feeds.serve_fast(self.connections, token=token, **conditions)
        except DBAPIError as err:  # the connection is dropped; a new one is opened after the pause
            log.warning("feed fast path unavailable for %.0f s: %s", RETRY_SECONDS, type(err.orig).__name__)
            self.retry_at.when = time.monotonic() + RETRY_SECONDS
            return None
