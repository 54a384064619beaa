"""Calendar endpoints: one appointment as .ics, and the secret subscription feeds."""
from __future__ import annotations

from flask import Blueprint, current_app, request
from pydantic import BaseModel
from spectree import Response

from clinic.appointments.service import get_visible
from clinic.calendars import feeds, invites
from clinic.errors import NotFound
from web import database
from web.access import PUBLIC, STAFF, access, current_actor
from web.extensions import spec
from web.schemas.common import ErrorOut

bp = Blueprint("calendars", __name__, url_prefix="/api")
TAGS = ["calendars"]
SECURITY = {"bearer": []}
CALENDAR = "text/calendar; charset=utf-8"
MAX_TOKEN = 64


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
    response = current_app.response_class(invites.download_for(db, appointment_id=appointment.id), mimetype=CALENDAR)
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
    db = database.session()
    conditions = _conditions()
    served = feeds.serve(db, token=token, **conditions)
    if served is not None and served.content is None:
        feeds.build_missing(db, token=token, horizon_days=current_app.config["SETTINGS"].horizon_days)
        served = feeds.serve(db, token=token, **conditions)
    if served is None or served.content is None:
        raise NotFound()
    return _feed_response(served, gzipped=conditions["gzip_ok"])


def _conditions() -> dict:
    inm = request.if_none_match
    return {
        "etags": [f'"{tag}"' for tag in inm.as_set(include_weak=True)] if inm else [],
        "any_etag": bool(inm and inm.star_tag),
        "since": None if inm else request.if_modified_since,
        "gzip_ok": request.accept_encodings["gzip"] > 0,
    }


def _feed_response(served: feeds.Served, *, gzipped: bool):
    if served.not_modified:
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(served.content, mimetype=CALENDAR)
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = served.etag
    response.last_modified = served.modified_at
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Accept-Encoding"
    return response


def _secret() -> str:
    return current_app.config["SETTINGS"].jwt_secret_key


def _urls(token: str) -> FeedUrlOut:
    url = f"{request.host_url.rstrip('/')}/api/calendar/{token}.ics"
    return FeedUrlOut(url=url, webcal_url="webcal://" + url.split("://", 1)[1])
