"""Per-process resources shared by the actors: the settings, the session factory, the mailer and the sender."""

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
from clinic.settings import Settings
from clinic.sms.sender import SmsSender
from clinic.sms.twilio_api import TwilioApi

_settings: Settings | None = None


def configure(settings: Settings) -> Settings:
    """Set this process's settings (workers.main.boot does, before any actor runs)."""
    global _settings
    _settings = settings
    return settings


def settings() -> Settings:
    """This process's settings: those given to `configure`, else read from the environment once."""
    return _settings or configure(Settings.from_env())


@cache
def sessions():
    # hide_parameters: a failed statement's message (logged with its traceback by Dramatiq) must not carry
    # a rendered email or an address.
    return make_session_factory(
        make_engine(
            settings().database_url,
            pool_size=4,
            max_overflow=4,
            prepared_statements=settings().database_prepared_statements,
            hide_parameters=True,
        )
    )


@cache
def limiter() -> ProviderRateLimiter:
    client = redis.Redis.from_url(settings().redis_url, socket_timeout=5, socket_connect_timeout=5)
    return ProviderRateLimiter(client, per_second=settings().resend_requests_per_second)


@cache
def sender() -> Sender:
    mailer = Mailer(api_key=settings().resend_api_key, limiter=limiter())
    smtp_url = settings().smtp_url
    smtp = SmtpMailer(smtp_url, limiter=limiter(), checkpoint=checkpoint) if smtp_url else None
    return Sender(sessions(), mailer, Renderer(settings()), checkpoint=checkpoint, smtp=smtp)


@cache
def sms_sender() -> SmsSender:
    config = settings()
    api = TwilioApi(
        account_sid=config.twilio_account_sid, auth_token=config.twilio_auth_token, api_url=config.twilio_api_url
    )
    return SmsSender(sessions(), api, config, checkpoint=checkpoint)


def checkpoint(point: str) -> None:
    """Fault injection for the crash tests only: CLINIC_FAULT_POINT=before_send|during_send|after_send|before_ack
    (email) or before_sms_send|after_sms_send (SMS) SIGKILLs this worker's whole process group at that point of a send. Unset in every real deployment."""
    if os.environ.get("CLINIC_FAULT_POINT") == point:
        os.killpg(os.getpgrp(), signal.SIGKILL)
