"""Replies to reminders (Twilio's inbound webhook, signature already checked by the web adapter).

SI/YES/1 confirms the sender's next appointment, NO/CANCELAR/CANCEL/2 cancels it exactly as the patient's
own cancel would (same rules, history, outbox events: the invitation's CANCEL and the waitlist offer),
STOP/BAJA withdraws the SMS consent; anything else gets the help text. A number that no patient has changes
nothing and gets no answer. Each MessageSid acts once: Twilio retries a webhook it got no answer to, and a
second "NO" must not cancel the next appointment as well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from clinic.appointments import service as appointments
from clinic.appointments.models import Appointment
from clinic.errors import Conflict
from clinic.identity.actor import Actor
from clinic.scheduling.models import Clinic
from clinic.settings import Settings
from clinic.sms import consent, content, store
from clinic.sms.models import SmsReply
from clinic.sms.phones import sender_number

CONFIRM = frozenset({"SI", "YES", "1", "S", "Y", "CONFIRMAR", "CONFIRM"})
CANCEL = frozenset({"NO", "CANCELAR", "CANCEL", "2", "N"})
STOP = frozenset({"STOP", "BAJA", "STOPALL", "UNSUBSCRIBE", "END", "QUIT"})
VIA = "sms"


@dataclass(frozen=True)
class Outcome:
    action: str  # confirmed, cancelled, opted_out, help, none, too_late, unknown_number, duplicate
    reply: str | None  # the text to answer with (None: answer nothing)
    appointment_id: int | None = None
    user_id: int | None = None


def keyword(body: str) -> str:
    """The reply's first word, upper case, without accents or punctuation: `Sí, gracias` -> `SI`."""
    plain = "".join(c for c in unicodedata.normalize("NFD", body or "") if not unicodedata.combining(c))
    found = re.search(r"[A-Za-z0-9]+", plain)
    return found.group(0).upper() if found else ""


def handle(session: Session, *, from_: str, body: str, message_sid: str, now: datetime, settings: Settings) -> Outcome:
    """Act on one inbound message and say what to answer."""
    claimed = store.claim_reply(session, message_sid=message_sid)
    if claimed is None:
        return Outcome("duplicate", None)
    outcome = _act(session, from_=from_, body=body, now=now, settings=settings)
    reply = session.get(SmsReply, claimed)
    reply.action, reply.appointment_id = outcome.action, outcome.appointment_id
    reply.user_id = outcome.user_id
    session.flush()
    return outcome


def _act(session: Session, *, from_: str, body: str, now: datetime, settings: Settings) -> Outcome:
    phone = sender_number(from_)
    senders = store.senders(session, phone=phone) if phone else []
    if not senders:
        return Outcome("unknown_number", None)
    # Several patients may share a number (a family): the reply is about the soonest of their appointments,
    # which is the one the latest reminder was about.
    patient_ids = [row.id for row in senders]
    word = keyword(body)
    if word in STOP:
        for patient_id in patient_ids:
            consent.opt_out(session, user_id=patient_id, now=now)
        return _tag(Outcome("opted_out", content.answer("opted_out", locale=senders[0].locale)), patient_ids[0])
    if word not in CONFIRM and word not in CANCEL:
        return _tag(Outcome("help", content.answer("help", locale=senders[0].locale)), patient_ids[0])
    appointment_id = store.next_appointment_id(session, patient_ids=patient_ids, now=now)
    if appointment_id is None:
        return _tag(Outcome("none", content.answer("none", locale=senders[0].locale)), patient_ids[0])
    appointment = session.get(Appointment, appointment_id, with_for_update=True)
    patient = next(row for row in senders if row.id == appointment.patient_id)
    clinic = session.get(Clinic, appointment.clinic_id)
    say = dict(locale=patient.locale, clinic=clinic.name, starts_at=appointment.starts_at, zone=clinic.timezone)
    if word in CONFIRM:
        if appointment.confirmed_at is None:
            appointment.confirmed_at, appointment.confirmed_via = now, VIA
            session.flush()
        return _tag(Outcome("confirmed", content.answer("confirmed", **say), appointment_id), patient.id)
    try:
        cancelled = appointments.cancel(
            session,
            actor=Actor(user_id=patient.id, role="patient"),
            appointment_id=appointment_id,
            reason=None,
            now=now,
            settings=settings,
        )
    except Conflict:  # past the patient's cutoff where the patient's own cancel refuses it
        return _tag(Outcome("too_late", content.answer("too_late", **say), appointment_id), patient.id)
    cancelled.cancelled_via = VIA
    session.flush()
    kind = "cancelled_late" if cancelled.late_cancellation else "cancelled"
    return _tag(Outcome("cancelled", content.answer(kind, **say), appointment_id), patient.id)


def _tag(outcome: Outcome, user_id: int) -> Outcome:
    return Outcome(outcome.action, outcome.reply, outcome.appointment_id, user_id)
