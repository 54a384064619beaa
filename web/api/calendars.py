"""Calendar endpoints: one appointment as .ics, and the secret subscription feeds."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from pydantic import BaseModel
from spectree import Response

from clinic.appointments.service import get_visible
from clinic.calendars import feeds, invites
from clinic.errors import NotFound
from web import database
from web import feed_fast_path as fast_path
from web.access import PUBLIC, STAFF, access, current_actor
from web.extensions import spec
from web.schemas.common import ErrorOut

bp = Blueprint("calendars", __name__, url_prefix="/api")
TAGS = ["calendars"]
SECURITY = {"bearer": []}
CALENDAR = fast_path.CALENDAR


class FeedUrlOut(BaseModel):
    url: str
    webcal_url: str


@bp.get("/appointments/<int:appointment_id>/ics")
@access("patient", "doctor", *STAFF)
@database.unit_of_work()
@spec.validate(
    resp=Response(HTTP_200=(None, "text/calendar (METHOD:PUBLISH)"), HTTP_404=ErrorOut), tags=TAGS, security=SECURITY
)
def appointment_ics(appointment_id: int):
    """The appointment as an .ics file (its patient, its doctor, staff)."""
    db = database.session()
    appointment = get_visible(db, actor=current_actor(), appointment_id=appointment_id)
    response = current_app.response_class(
        invites.download_for(db, appointment_id=appointment.id), content_type=CALENDAR
    )
    response.headers["Content-Disposition"] = f'attachment; filename="appointment-{appointment.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/me/calendar")
@access("patient", "doctor")
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=FeedUrlOut), tags=TAGS, security=SECURITY)
def my_calendar():
    """The secret subscription URL of one's own appointments (created on first use)."""
    token = feeds.feed_token(database.session(), user_id=current_actor().user_id, secret=_secret())
    return _urls(token)


@bp.post("/me/calendar/rotate")
@access("patient", "doctor")
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=FeedUrlOut), tags=TAGS, security=SECURITY)
def rotate_calendar():
    """Replace the subscription URL; the old one answers 404 from now on."""
    token = feeds.rotate(database.session(), user_id=current_actor().user_id, secret=_secret())
    return _urls(token)


@bp.get("/calendar/<token>.ics")
@access(PUBLIC)
@database.unit_of_work()
@spec.validate(
    resp=Response(HTTP_200=(None, "text/calendar (METHOD:PUBLISH)"), HTTP_304=None, HTTP_404=ErrorOut), tags=TAGS
)
def calendar_feed(token: str):
    """A subscription feed, for whoever holds the token; answers 304 to a current ETag or date."""
    if len(token) > fast_path.MAX_TOKEN:
        raise NotFound()
    conditions = fast_path.request_conditions(request.environ)
    served = feeds.serve_built(
        database.session(), token=token, horizon_days=current_app.config["SETTINGS"].horizon_days, **conditions
    )
    if served is None:
        raise NotFound()
    status, headers, body = fast_path.answer(served, gzipped=conditions["gzip_ok"])
    return current_app.response_class(body, status=status, headers=headers)


def _secret() -> str:
    return current_app.config["SETTINGS"].calendar_token_secret


def _urls(token: str) -> FeedUrlOut:
    """Absolute URLs start with PUBLIC_URL, never with the request's Host header (which the caller chooses)."""
    url = f"{current_app.config['SETTINGS'].public_url}{fast_path.FEED_PREFIX}{token}.ics"
    return FeedUrlOut(url=url, webcal_url="webcal://" + url.split("://", 1)[1])
