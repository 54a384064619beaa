"""Which actors the outbox relay sends each topic to.

Every subscribed actor is sent `(topic: str, payload: dict)` — the outbox row's topic and JSON payload —
once per outbox row, after the row's transaction committed. Delivery is at least once: actors must be
idempotent. Add a line (an actor *name*, as declared with `@dramatiq.actor(actor_name=...)` or the
function name) to subscribe. A name no actor declares is logged as an error when the scheduler starts and
skipped by the relay (one missing actor must not hold every other message back); a test asserts there is none.
"""
from __future__ import annotations

APPOINTMENT_TOPICS = ("appointment.booked", "appointment.rescheduled", "appointment.cancelled",
                      "appointment.attendance")

SUBSCRIPTIONS: dict[str, list[str]] = {
    "appointment.booked": ["appointment_email", "offer_waitlist", "rebuild_calendar_feeds"],
    "appointment.rescheduled": ["appointment_email", "offer_waitlist", "rebuild_calendar_feeds"],
    "appointment.cancelled": ["appointment_email", "offer_waitlist", "rebuild_calendar_feeds"],
    "appointment.attendance": ["noshow_followup", "rebuild_calendar_feeds"],
    "time_off.created": ["cancel_cascade"],
    "doctor.deactivated": ["cancel_cascade"],
    "deliveries.due": ["send_deliveries"],
    "sms.due": ["send_sms"],
    "waitlist.hold_expired": ["offer_waitlist"],
    "export.requested": ["export_patient_data"],
    "calendar.feed_created": ["rebuild_calendar_feeds"],
    "account.password_reset": ["password_reset_email"],
    "account.invited": ["password_reset_email"],
    "account.registered": ["account_email"],
    "account.verification_requested": ["account_email"],
    "account.signup_attempted": ["account_email"],
}

