"""Per-process resources shared by the actors: the session factory, the mailer and the sender."""
from __future__ import annotations

import os
import signal
from functools import cache

import redis

from clinic.db import make_engine, make_session_factory
from clinic.notifications.mailer import Mailer, SmtpMailer
from clinic.notifications.ratelimit import ProviderRateLimiter
from clinic.notifications.render import Renderer
from clinic.notifications.service import Sender
from workers.broker import settings


@cache
def sessions():
    # hide_parameters: a failed statement's message (logged with its traceback by Dramatiq) must not carry
    # a rendered email or an address.
    return make_session_factory(make_engine(settings.database_url, pool_size=4, max_overflow=4,
                                            hide_parameters=True))


@cache
def limiter() -> ProviderRateLimiter:
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
    return ProviderRateLimiter(client, per_second=settings.resend_requests_per_second)


@cache
def sender() -> Sender:
    mailer = Mailer(api_key=settings.resend_api_key, limiter=limiter())
    smtp = SmtpMailer(settings.smtp_url, limiter=limiter(), checkpoint=checkpoint) if settings.smtp_url else None
    return Sender(sessions(), mailer, Renderer(settings), checkpoint=checkpoint, smtp=smtp)


@cache
def sms_sender():
    from clinic.sms.sender import SmsSender
    from clinic.sms.twilio_api import TwilioApi

    api = TwilioApi(account_sid=settings.twilio_account_sid, auth_token=settings.twilio_auth_token,
                    api_url=settings.twilio_api_url)
    return SmsSender(sessions(), api, settings, checkpoint=checkpoint)


def checkpoint(point: str) -> None:
    """Fault injection for the crash tests only: CLINIC_FAULT_POINT=before_send|during_send|after_send|before_ack
    (email) or before_sms_send|after_sms_send (SMS)
    SIGKILLs this worker's whole process group at that point of a send. Unset in every real deployment."""
    if os.environ.get("CLINIC_FAULT_POINT") == point:
        os.killpg(os.getpgrp(), signal.SIGKILL)
