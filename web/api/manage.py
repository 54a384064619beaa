"""Manage links: `PUBLIC_URL/a/<token>` opens one appointment without signing in (see clinic.manage).

Any token that is not live (unknown, malformed, expired, another kind's) is the same 404, so a token's
existence never leaks. Rate limited per client address and per token (RATELIMIT_MANAGE,
RATELIMIT_MANAGE_TOKEN), on top of nothing else: these views take no credentials.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from spectree import Response

from clinic.errors import NotFound
from clinic.manage import service as manage
from clinic.manage.service import ManageView
from web import database
from web.access import PUBLIC, access
from web.extensions import limiter, spec
from web.ratelimit_keys import pseudonym
from web.schemas.common import ErrorOut, parse_date
from web.schemas.manage import CalendarLinks, ManageCancelIn, ManageMoveIn, ManageOut, ManageSlotsQuery
from web.schemas.scheduling import SlotsOut, slots_json

bp = Blueprint("manage", __name__, url_prefix="/api/manage")
TAGS = ["manage"]
MAX_TOKEN = 64
CHANGE_ERRORS = {"HTTP_404": ErrorOut, "HTTP_409": ErrorOut, "HTTP_422": ErrorOut, "HTTP_429": ErrorOut}


def _settings():
    return current_app.config["SETTINGS"]


def ip_limit() -> str:
    return _settings().ratelimit_manage


def token_limit() -> str:
    return _settings().ratelimit_manage_token


def token_key() -> str:
    """Per token, whatever the address (a keyed hash: the limiter logs its keys)."""
    return pseudonym("manage", (request.view_args or {}).get("token", ""))


def _token(token: str) -> str:
    if len(token) > MAX_TOKEN:
        raise NotFound()
    return token


def _out(view: ManageView, token: str) -> ManageOut:
    shown = view.appointment
    calendar = None
    if view.google_url:
        calendar = CalendarLinks(google=view.google_url, outlook=view.outlook_url, ics=f"/api/manage/{token}/ics")
    fields = dict(
        kind=view.kind,
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        timezone=view.timezone,
        doctor_name=view.doctor_name,
        service_name=view.service_name,
        clinic_name=view.clinic_name,
        clinic_address=view.clinic_address,
        change_until=view.change_until,
        can_change=view.can_change,
        can_cancel=view.can_cancel,
        late_if_cancelled=view.late_if_cancelled,
        hold_expires_at=view.hold_expires_at,
        calendar=calendar,
        manage_token=view.manage_token,
    )
    if shown is None:
        return ManageOut(id=None, status="offered", **fields)
    return ManageOut(
        id=shown.id,
        status=shown.status,
        doctor_id=shown.doctor_id,
        service_id=shown.service_id,
        clinic_id=shown.clinic_id,
        patient_name=shown.patient_name,
        sequence=shown.sequence,
        late_cancellation=shown.late_cancellation,
        cancelled_at=shown.cancelled_at,
        **fields,
    )


_PER_ADDRESS = limiter.shared_limit(ip_limit, scope="manage-address")
_PER_TOKEN = limiter.shared_limit(token_limit, scope="manage-token", key_func=token_key)


def limited(view):
    """Both limits, per address and per token, each counted across all the manage endpoints (a guesser
    gains nothing by spreading tries over them)."""
    return _PER_ADDRESS(_PER_TOKEN(view))


@bp.get("/<token>")
@access(PUBLIC)
@limited
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=ManageOut, HTTP_404=ErrorOut, HTTP_429=ErrorOut), tags=TAGS)
def get_link(token: str):
    """What the link opens: the appointment (or a waitlist offer's slot), what may be done now, and
    add-to-calendar links. Each opening is written to the appointment's history with the link's channel."""
    return _out(manage.view(database.session(), token=_token(token), settings=_settings()), token)


@bp.get("/<token>/slots")
@access(PUBLIC)
@limited
@database.unit_of_work(reads_only=True)
@spec.validate(
    query=ManageSlotsQuery,
    resp=Response(HTTP_200=SlotsOut, HTTP_404=ErrorOut, HTTP_409=ErrorOut, HTTP_422=ErrorOut, HTTP_429=ErrorOut),
    tags=TAGS,
)
def slots(token: str):
    """Free slots of the appointment's doctor and service between two local dates (inclusive, at most 62 days)
    that its patient could move it to."""
    q: ManageSlotsQuery = request.context.query
    found = manage.slots(
        database.session(), token=_token(token), first=parse_date(q.from_), last=parse_date(q.to), settings=_settings()
    )
    return slots_json(found)


@bp.patch("/<token>")
@access(PUBLIC)
@limited
@database.unit_of_work()
@spec.validate(json=ManageMoveIn, resp=Response(HTTP_200=ManageOut, **CHANGE_ERRORS), tags=TAGS)
def move(token: str):
    """Move the appointment to another free slot, under the patient's own rules (up to the cutoff: 409
    too_late_to_change; slot_taken, outside_working_hours, too_soon, too_far as for a booking)."""
    body: ManageMoveIn = request.context.json
    return _out(
        manage.move(database.session(), token=_token(token), starts_at=body.starts_at, settings=_settings()), token
    )


@bp.post("/<token>/cancel")
@access(PUBLIC)
@limited
@database.unit_of_work()
@spec.validate(json=ManageCancelIn, resp=Response(HTTP_200=ManageOut, **CHANGE_ERRORS), tags=TAGS)
def cancel(token: str):
    """Cancel the appointment, under the patient's own rules: up to the start; inside the change cutoff the
    answer has `late_cancellation: true`. 409 already_cancelled, already_started."""
    body: ManageCancelIn | None = request.context.json
    return _out(
        manage.cancel(
            database.session(), token=_token(token), reason=body.reason if body else None, settings=_settings()
        ),
        token,
    )


@bp.post("/<token>/accept")
@access(PUBLIC)
@limited
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=ManageOut, HTTP_404=ErrorOut, HTTP_409=ErrorOut, HTTP_429=ErrorOut), tags=TAGS)
def accept(token: str):
    """Accept a waitlist offer in one tap: the held slot is booked for the patient it was held for (as their
    own booking would be) and the answer carries the new appointment's own `manage_token`. 404 once the hold
    is over (expired, declined, already accepted)."""
    session = database.session()
    view = manage.accept(session, token=_token(token), settings=_settings())
    return _out(view, view.manage_token)


@bp.get("/<token>/ics")
@access(PUBLIC)
@limited
@database.unit_of_work()
@spec.validate(
    resp=Response(HTTP_200=(None, "text/calendar (METHOD:PUBLISH)"), HTTP_404=ErrorOut, HTTP_429=ErrorOut), tags=TAGS
)
def ics(token: str):
    """The appointment as an .ics file, for any calendar."""
    body = manage.calendar_file(database.session(), token=_token(token), settings=_settings())
    response = current_app.response_class(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
