"""Every outbox topic: the one list of what can happen, named once.

A topic is written by the one function that makes the change (see each domain's store) and read by the
workers' subscriptions (workers/subscriptions.py). `Topic` members are strings, so they go as they are
into the `outbox.topic` column, JSON and SQL (`f"... '{Topic.BOOKED}' ..."`).
"""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    BOOKED = "appointment.booked"
    RESCHEDULED = "appointment.rescheduled"
    CANCELLED = "appointment.cancelled"
    ATTENDANCE = "appointment.attendance"
    TIME_OFF_CREATED = "time_off.created"
    DOCTOR_DEACTIVATED = "doctor.deactivated"
    DELIVERIES_DUE = "deliveries.due"
    REMINDERS_DUE = "reminders.due"
    SMS_REMINDERS_DUE = "sms_reminders.due"
    SMS_DUE = "sms.due"  # SMS deliveries by id: the reminder sweep's messages before migration 0021
    HOLD_EXPIRED = "waitlist.hold_expired"
    EXPORT_REQUESTED = "export.requested"
    FEED_CREATED = "calendar.feed_created"
    PASSWORD_RESET = "account.password_reset"
    INVITED = "account.invited"
    REGISTERED = "account.registered"
    VERIFICATION_REQUESTED = "account.verification_requested"
    SIGNUP_ATTEMPTED = "account.signup_attempted"


# The changes of an appointment's state (each one writes history and bumps its sequence).
APPOINTMENT_TOPICS = frozenset({Topic.BOOKED, Topic.RESCHEDULED, Topic.CANCELLED, Topic.ATTENDANCE})
