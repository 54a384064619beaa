"""Which email an appointment event calls for: one delivery row per event, keyed so a redelivered
message never yields a second email. The waitlist's offer email is here too: the waitlist decides who is
offered a freed slot, this module turns the offer into its email (so the waitlist needs no notifications,
which need manage links, which settle waitlist holds: no import cycle)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.appointments.no_shows import flag_repeat_no_shows
from clinic.notifications.service import ensure
from clinic.notifications.store import render as store
from clinic.settings import Settings
from clinic.topics import Topic
from clinic.waitlist import events as waitlist_events

EVENT_KINDS = {Topic.BOOKED: "confirmation", Topic.RESCHEDULED: "rescheduled", Topic.CANCELLED: "cancelled"}


def event_delivery(session: Session, *, topic: str, payload: dict) -> int:
    """The confirmation, reschedule or cancellation notice for one outbox event."""
    kind = EVENT_KINDS[topic]
    appointment_id = payload["appointment_id"]
    details = {"cause": payload.get("cause")} if kind == "cancelled" else {}
    return ensure(
        session,
        key=f"{kind}:{appointment_id}:e{payload.get('event_id', 0)}",
        kind=kind,
        appointment_id=appointment_id,
        details=details,
    )


def noshow_followup(session: Session, *, payload: dict, now: datetime) -> int | None:
    """One follow-up per no-show marked by staff or a doctor, and the 3-in-90-days flag.

    No-shows marked by the sweep (cause "system") got their follow-up and flag from the sweep itself.
    """
    if payload.get("status") != "no_show" or payload.get("cause") == "system":
        return None
    appointment_id = payload["appointment_id"]
    patient_id = store.patient_of(session, appointment_id=appointment_id)
    if patient_id is None:
        return None
    delivery_id = ensure(
        session, key=f"noshow:{appointment_id}", kind="noshow", appointment_id=appointment_id, recipient_id=patient_id
    )
    flag_repeat_no_shows(session, patient_id=patient_id, now=now)
    return delivery_id


def password_reset_delivery(session: Session, *, payload: dict, topic: str = Topic.PASSWORD_RESET) -> int:
    """The email carrying one reset link (rendered when sent, from the link's nonce); for a walk-in's first
    link (`account.invited`), the "choose your password" email."""
    kind = "set_password" if topic == Topic.INVITED else "password_reset"
    return ensure(
        session,
        key=f"{kind}:{payload['reset_id']}",
        kind=kind,
        recipient_id=payload["user_id"],
        details={"reset_id": payload["reset_id"]},
    )


ACCOUNT_KINDS = {
    Topic.REGISTERED: "verify_email",
    Topic.VERIFICATION_REQUESTED: "verify_email",
    Topic.SIGNUP_ATTEMPTED: "signup_attempt",
}


def account_delivery(session: Session, *, topic: str, payload: dict) -> int:
    """The verification link (one per event), or the owner's "someone tried to sign up with your address"
    notice (at most one per account and day, whatever the number of attempts)."""
    kind = ACCOUNT_KINDS[topic]
    user_id = payload["user_id"]
    if kind == "signup_attempt":
        key = f"signup_attempt:{user_id}:{payload['day']}"
    else:
        key = f"verify_email:{user_id}:e{payload.get('event_id', 0)}"
    return ensure(session, key=key, kind=kind, recipient_id=user_id)


def waitlist_offer(session: Session, *, topic: str, payload: dict, now: datetime, settings: Settings) -> int | None:
    """Apply a slot event to the waitlist; the offer email's delivery (one per hold) when the slot was offered."""
    hold = waitlist_events.on_slot_event(session, topic=topic, payload=payload, now=now, settings=settings)
    if hold is None:
        return None
    return ensure(
        session,
        key=f"offer:{hold.id}",
        kind="waitlist_offer",
        appointment_id=payload.get("appointment_id"),
        recipient_id=hold.patient_id,
        details={"hold_id": hold.id},
    )
