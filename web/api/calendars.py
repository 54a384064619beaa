"""Calendar endpoints: one appointment as .ics, and the secret subscription feeds."""
from __future__ import annotations

import logging
import os
import threading
import time

import psycopg
from flask import Blueprint, current_app, request
from pydantic import BaseModel
from spectree import Response
from werkzeug.http import parse_accept_header, parse_date, parse_etags

from clinic.appointments.service import get_visible
from clinic.calendars import feeds, invites
from clinic.db import normalize_url
from clinic.errors import NotFound
from web import database
from web.access import PUBLIC, STAFF, access, current_actor
from web.extensions import spec
from web.security import API_CSP
from web.schemas.common import ErrorOut

bp = Blueprint("calendars", __name__, url_prefix="/api")
log = logging.getLogger("web.calendars")
TAGS = ["calendars"]
SECURITY = {"bearer": []}
# The whole Content-Type: pass it as `content_type`, never as `mimetype` (Flask appends "; charset=utf-8"
# to a text/* mimetype, which answered "charset=utf-8; charset=utf-8").
CALENDAR = "text/calendar; charset=utf-8"
MAX_TOKEN = 64
FEED_PREFIX = "/api/calendar/"
RETRY_SECONDS = 5.0
GZIP_TAG = "-gz"


class FeedUrlOut(BaseModel):
    url: str
    webcal_url: str


@bp.get("/appointments/<int:appointment_id>/ics")
@access("patient", "doctor", *STAFF)
@spec.validate(resp=Response(HTTP_200=(None, "text/calendar (METHOD:PUBLISH)"), HTTP_404=ErrorOut),
               tags=TAGS, security=SECURITY)
def appointment_ics(appointment_id: int):
    """The appointment as an .ics file (its patient, its doctor, staff)."""
    db = database.session()
    appointment = get_visible(db, actor=current_actor(), appointment_id=appointment_id)
    response = current_app.response_class(invites.download_for(db, appointment_id=appointment.id),
                                          content_type=CALENDAR)
    response.headers["Content-Disposition"] = f'attachment; filename="appointment-{appointment.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/me/calendar")
@access("patient", "doctor")
@spec.validate(resp=Response(HTTP_200=FeedUrlOut), tags=TAGS, security=SECURITY)
def my_calendar():
    """The secret subscription URL of one's own appointments (created on first use)."""
    token = feeds.feed_token(database.session(), user_id=current_actor().user_id, secret=_secret())
    return _urls(token)


@bp.post("/me/calendar/rotate")
@access("patient", "doctor")
@spec.validate(resp=Response(HTTP_200=FeedUrlOut), tags=TAGS, security=SECURITY)
def rotate_calendar():
    """Replace the subscription URL; the old one answers 404 from now on."""
    token = feeds.rotate(database.session(), user_id=current_actor().user_id, secret=_secret())
    return _urls(token)


@bp.get("/calendar/<token>.ics")
@access(PUBLIC)
@spec.validate(resp=Response(HTTP_200=(None, "text/calendar (METHOD:PUBLISH)"), HTTP_304=None,
                             HTTP_404=ErrorOut), tags=TAGS)
def calendar_feed(token: str):
    """A subscription feed, for whoever holds the token; answers 304 to a current ETag or date."""
    if len(token) > MAX_TOKEN:
        raise NotFound()
    conditions = _conditions(request.environ)
    served = feeds.serve_built(database.session(), token=token,
                               horizon_days=current_app.config["SETTINGS"].horizon_days, **conditions)
    if served is None:
        raise NotFound()
    status, headers, body = _feed_answer(served, gzipped=conditions["gzip_ok"])
    return current_app.response_class(body, status=status, headers=headers)


def _conditions(environ: dict) -> dict:
    inm = parse_etags(environ.get("HTTP_IF_NONE_MATCH")) if environ.get("HTTP_IF_NONE_MATCH") else None
    return {
        "etags": [f'"{tag.removesuffix(GZIP_TAG)}"' for tag in inm.as_set(include_weak=True)] if inm else [],
        "any_etag": bool(inm and inm.star_tag),
        "since": None if inm else parse_date(environ.get("HTTP_IF_MODIFIED_SINCE")),
        "gzip_ok": _accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")),
    }


def _accepts_gzip(value: str | None) -> bool:
    if not value or "gzip" not in value:
        return False
    return ";" not in value or parse_accept_header(value)["gzip"] > 0  # only parse when there are q-values


def _feed_answer(served: feeds.Served, *, gzipped: bool) -> tuple[int, list[tuple[str, str]], bytes]:
    # A strong ETag names one representation: the gzipped one gets its own (either one revalidates).
    etag = served.etag[:-1] + GZIP_TAG + '"' if gzipped else served.etag
    headers = [("ETag", etag), ("Last-Modified", served.last_modified),
               ("Cache-Control", "private, no-cache"), ("Vary", "Accept-Encoding")]
    if served.not_modified:
        return 304, headers, b""
    headers.append(("Content-Type", CALENDAR))
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    return 200, headers, served.content


class FeedFastPath:
    """Serves stored feeds in front of the Flask stack: one prepared indexed SELECT on a per-thread connection.

    Calendar clients poll feeds all day, and the app's hooks (auth, logging, limiter, session, commit) cost
    more than the lookup itself. Anything this path cannot answer from a built document (unknown token,
    not built yet, HEAD, a database error) falls through to the Flask view, which has the full behaviour.
    """

    SECURITY_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", API_CSP),
                        ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
                        ("Referrer-Policy", "strict-origin-when-cross-origin"), ("X-Frame-Options", "DENY")]

    def __init__(self, app_wsgi, database_url: str, *, prepared_statements: bool = True) -> None:
        self.app_wsgi = app_wsgi
        self.prepare_threshold = 0 if prepared_statements else None  # None: never prepare (a pooler)
        self.conninfo = normalize_url(database_url).replace("postgresql+psycopg://", "postgresql://", 1)
        self.local = threading.local()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if (environ.get("REQUEST_METHOD") != "GET" or not path.startswith(FEED_PREFIX) or not path.endswith(".ics")):
            return self.app_wsgi(environ, start_response)
        token = path[len(FEED_PREFIX):-4]
        if not token or len(token) > MAX_TOKEN or "/" in token:
            return self.app_wsgi(environ, start_response)
        conditions = _conditions(environ)
        row = self._lookup(feeds.serve_params(token=token, **conditions))
        if row is None or row[2] is None:
            return self.app_wsgi(environ, start_response)
        status, headers, body = _feed_answer(feeds.Served(*row), gzipped=conditions["gzip_ok"])
        headers += self.SECURITY_HEADERS
        headers.append(("Content-Length", str(len(body))))
        start_response("304 Not Modified" if status == 304 else "200 OK", headers)
        return [body]

    def _lookup(self, params: dict):
        if time.monotonic() < getattr(self.local, "retry_at", 0.0):
            return None  # the database failed us a moment ago: let the Flask view answer (503) meanwhile
        conn = getattr(self.local, "conn", None)
        try:
            if conn is None or conn.closed or self.local.pid != os.getpid():
                conn = self.local.conn = psycopg.connect(self.conninfo, autocommit=True,
                                                         prepare_threshold=self.prepare_threshold,
                                                         connect_timeout=2)
                self.local.pid = os.getpid()
            return conn.execute(feeds.SERVE_SQL, params, binary=True).fetchone()  # bytea without hex decoding
        except psycopg.Error as err:
            log.warning("feed fast path unavailable for %.0f s: %s", RETRY_SECONDS, type(err).__name__)
            self.local.conn = None  # a broken connection is replaced later; this request takes the slow path
            self.local.retry_at = time.monotonic() + RETRY_SECONDS
            if conn is not None:
                conn.close()
            return None


@bp.record_once
def _install_fast_path(state) -> None:
    app = state.app
    app.wsgi_app = FeedFastPath(app.wsgi_app, app.config["SETTINGS"].database_url,
                                prepared_statements=app.config["SETTINGS"].database_prepared_statements)


def _secret() -> str:
    return current_app.config["SETTINGS"].calendar_token_secret


def _urls(token: str) -> FeedUrlOut:
    """Absolute URLs start with PUBLIC_URL, never with the request's Host header (which the caller chooses)."""
    url = f"{current_app.config['SETTINGS'].public_url}{FEED_PREFIX}{token}.ics"
    return FeedUrlOut(url=url, webcal_url="webcal://" + url.split("://", 1)[1])
