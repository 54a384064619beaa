"""SMS/WhatsApp: Twilio's inbound webhook, the front desk's record of a patient's phone and consent, and the
appointments of a day that nobody confirmed yet."""

from __future__ import annotations

from flask import Blueprint, Response as FlaskResponse, current_app, request
from pydantic import Field
from spectree import Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from clinic.clock import utcnow
from clinic.errors import Forbidden
from clinic.sms import confirmations, consent, replies
from web import database
from web.access import PUBLIC, STAFF, access, current_actor
from web.extensions import spec
from web.schemas.appointments import AppointmentOut
from web.schemas.common import DateText, ErrorOut, Line, Out, QueryId, Strict, Text, parse_date
from web.schemas.identity import PatientContactIn, UserOut
from web.validation import form_body

bp = Blueprint("sms", __name__, url_prefix="/api")
INBOUND_PATH = "/api/sms/inbound"


class InboundForm(Strict):
    """The fields of Twilio's messaging webhook that are read (Twilio sends more; all are signed)."""

    From: Line = Field(description="the sender: `+34600112233` or `whatsapp:+34600112233`")
    Body: Text = Field(default="", description="the text of the reply")
    MessageSid: Line = Field(description="Twilio's id of the message: each one acts at most once")


class NoReplyQuery(Strict):
    clinic_id: QueryId
    date: DateText | None = Field(default=None, description="YYYY-MM-DD in the clinic's zone (default: tomorrow)")


class NoReplyItem(AppointmentOut):
    patient_phone: str | None = None
    sms_sent: bool = Field(description="whether a reminder SMS went out for it")


class NoReplyOut(Out):
    date: str
    clinic_id: int
    timezone: str
    items: list[NoReplyItem]


def _settings():
    return current_app.config["SETTINGS"]


@bp.post("/sms/inbound")
@form_body
@access(PUBLIC)
@database.unit_of_work()
@spec.validate(form=InboundForm, skip_validation=True, resp=Response("HTTP_200", HTTP_403=ErrorOut), tags=["sms"])
def inbound():
    """Twilio's webhook for replies (form-encoded, `X-Twilio-Signature` over `PUBLIC_URL` + path). SI/YES/1
    confirms the sender's next appointment, NO/CANCELAR/CANCEL/2 cancels it as the patient's own cancel would,
    STOP/BAJA withdraws the SMS consent; anything else gets a help text. The answer is TwiML
    (`application/xml`); a number no patient has changes nothing and gets an empty `<Response/>`. A bad or
    missing signature (or no SMS channel configured) answers 403 and changes nothing."""
    settings = _settings()
    params = request.form.to_dict() if request.mimetype == "application/x-www-form-urlencoded" else {}
    url = settings.public_url + request.full_path.rstrip("?")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not (
        settings.sms_enabled
        and signature
        and params
        and RequestValidator(settings.twilio_auth_token).validate(url, params, signature)
    ):
        raise Forbidden("The request is not signed by Twilio.", code="bad_signature")
    twiml = MessagingResponse()
    if params.get("From") and params.get("MessageSid"):
        outcome = replies.handle(
            database.session(),
            from_=params["From"],
            body=params.get("Body", ""),
            message_sid=params["MessageSid"],
            now=utcnow(),
            settings=settings,
        )
        if outcome.reply:
            twiml.message(outcome.reply)
    return FlaskResponse(str(twiml), status=200, mimetype="application/xml")


@bp.patch("/patients/<int:patient_id>")
@access(*STAFF)
@database.unit_of_work()
@spec.validate(
    json=PatientContactIn,
    resp=Response(HTTP_200=UserOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=["users"],
    security={"bearer": []},
)
def update_patient_contact(patient_id: int):
    """The front desk records a patient's (e.g. a walk-in's) phone (E.164) and their consent to SMS/WhatsApp
    reminders, with its time and who recorded it. 404 unless the id is a patient's."""
    body: PatientContactIn = request.context.json
    user = consent.record_sms_consent(
        database.session(),
        user_id=patient_id,
        phone=body.phone if "phone" in body.model_fields_set else consent.UNSET,
        opt_in=body.sms_opt_in,
        recorded_by=current_actor().user_id,
        now=utcnow(),
    )
    return UserOut.model_validate(user)


@bp.get("/appointments/no-reply")
@access(*STAFF)
@database.unit_of_work(reads_only=True)
@spec.validate(
    query=NoReplyQuery,
    resp=Response(HTTP_200=NoReplyOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=["appointments"],
    security={"bearer": []},
)
def no_reply():
    """One clinic's booked appointments of a day (default: tomorrow, in the clinic's zone) whose patient has
    not confirmed yet, in start order, with the patient's phone and whether a reminder SMS went out."""
    q: NoReplyQuery = request.context.query
    found = confirmations.no_reply(database.session(), clinic_id=q.clinic_id, day=parse_date(q.date), now=utcnow())
    items = [
        NoReplyItem.model_validate(
            {
                **AppointmentOut.model_validate(v).model_dump(),
                "patient_phone": found.phones.get(v.id),
                "sms_sent": v.id in found.sms_sent,
            }
        )
        for v in found.items
    ]
    return NoReplyOut(date=found.day.isoformat(), clinic_id=found.clinic_id, timezone=found.timezone, items=items)
