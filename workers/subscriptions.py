"""Which actors the outbox relay sends each topic to.

Every subscribed actor is sent `(topic: str, payload: dict)` — the outbox row's topic and JSON payload —
once per outbox row, after the row's transaction committed. Delivery is at least once: actors must be
idempotent. Add a line (an actor *name*, as declared with `@dramatiq.actor(actor_name=...)` or the
function name) to subscribe. A name no actor declares is logged as an error when the scheduler starts and
skipped by the relay (one missing actor must not hold every other message back); a test asserts there is none.
"""

from __future__ import annotations

from clinic.topics import Topic

SUBSCRIPTIONS: dict[str, list[str]] = {
    Topic.BOOKED: ["appointment_email", "offer_waitlist", "rebuild_calendar_feeds"],
    Topic.RESCHEDULED: ["appointment_email", "offer_waitlist", "rebuild_calendar_feeds"],
    Topic.CANCELLED: ["appointment_email", "offer_waitlist", "rebuild_calendar_feeds"],
    Topic.ATTENDANCE: ["noshow_followup", "rebuild_calendar_feeds"],
    Topic.TIME_OFF_CREATED: ["cancel_cascade"],
    Topic.DOCTOR_DEACTIVATED: ["cancel_cascade"],
    Topic.DELIVERIES_DUE: ["send_deliveries"],
    Topic.REMINDERS_DUE: ["send_deliveries"],
    Topic.SMS_REMINDERS_DUE: ["send_sms"],
    Topic.SMS_DUE: ["send_sms"],
    Topic.HOLD_EXPIRED: ["offer_waitlist"],
    Topic.EXPORT_REQUESTED: ["export_patient_data"],
    Topic.FEED_CREATED: ["rebuild_calendar_feeds"],
    Topic.PASSWORD_RESET: ["password_reset_email"],
    Topic.INVITED: ["password_reset_email"],
    Topic.REGISTERED: ["account_email"],
    Topic.VERIFICATION_REQUESTED: ["account_email"],
    Topic.SIGNUP_ATTEMPTED: ["account_email"],
}
