"""Reminder SMS: the delivery rows of the email reminders, one channel further, sent AT MOST ONCE.

Email reaches exactly-once because the provider honours an idempotency key: a re-send after a crash is
answered from its store. Twilio has no such key, so a message whose fate is unknown cannot be re-sent
without risking a second text. We choose at-most-once for SMS: the same reminder also goes by email
(exactly once), a duplicate text costs money and confuses the SI/NO reply, and texting someone twice is
the kind of thing consent rules count against a sender. Protocol, per delivery row:

1. Claim (one transaction, row locked): `pending` -> rendered and re-checked -> `sending` with the request
   stored; commit. A row already `sending` means an earlier attempt died between this commit and step 3:
   Twilio may or may not have accepted it, so it is marked `failed` (error `interrupted`), never re-sent.
2. POST to Twilio. Certainly not accepted (no connection, 429): the row goes back to `pending` and the
   actor retries later. Refused (4xx): `failed`. Unknown (timeout, 5xx): `failed` (error `unknown`).
3. Accepted: `sent` with Twilio's message SID, in a second transaction.

So a worker killed between Twilio's 201 and step 3 leaves exactly one text at Twilio and a row that the
restarted worker marks `failed`/`interrupted`; killed before the POST, no text at all (the email reminder
still goes). Twilio itself retries delivery to the handset once it accepted a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from clinic.clock import utcnow
from clinic.manage.links import manage_url
from clinic.notifications.mailer import TransientSendError
from clinic.notifications.models import Delivery
from clinic.notifications.store import deliveries
from clinic.settings import Settings
from clinic.sms import content, store
from clinic.sms.phones import address
from clinic.sms.twilio_api import NotSent, Refused, TwilioApi, Unknown
from clinic.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

KIND = "reminder_sms"
INTERRUPTED = "interrupted: Twilio may have accepted it; not re-sent (at most once)"


def render(session: Session, row: Delivery, *, settings: Settings, now: datetime) -> dict | None:
    """Twilio's form for this reminder, or None: cancelled, moved, started, or the patient opted out."""
    found = store.reminder_facts(session, appointment_id=row.appointment_id)
    if found is None:
        return None
    status, starts_at, phone, opted_in, locale, active, clinic, zone = found
    expected = datetime.fromisoformat(row.details["starts_at"])
    if status != "booked" or starts_at != expected or now >= starts_at or not (phone and opted_in and active):
        return None
    link = manage_url(session, appointment_id=row.appointment_id, channel="sms", settings=settings)
    body = content.reminder(locale=locale, clinic=clinic, starts_at=starts_at, zone=zone, link=link)
    return {"To": address(phone, settings.twilio_from), "From": settings.twilio_from, "Body": body}


def _no_checkpoint(point: str) -> None:
    return None


class SmsSender:
    def __init__(
        self,
        factory: sessionmaker[Session],
        api: TwilioApi,
        settings: Settings,
        checkpoint: Callable[[str], None] = _no_checkpoint,
    ):
        self.factory = factory
        self.api = api
        self.settings = settings
        self.checkpoint = checkpoint

    def deliver(self, delivery_ids: list[int], *, now: datetime | None = None) -> int:
        """Send these SMS deliveries, one request each; returns how many Twilio accepted. Raises
        TransientSendError (after finishing the rest) when some were certainly not sent and may be retried."""
        sent, retry = 0, 0
        for delivery_id in delivery_ids:
            form = self._claim(delivery_id, now=now or utcnow())
            if form is None:
                continue
            self.checkpoint("before_sms_send")
            try:
                sid = self.api.send(to=form["To"], from_=form["From"], body=form["Body"])
            except NotSent as exc:
                self._finish(delivery_id, status="pending", error=str(exc)[:200])
                retry += 1
                continue
            except (Refused, Unknown) as exc:
                log.error("SMS not sent; marked failed", extra={"task": type(exc).__name__})
                self._finish(delivery_id, status="failed", error=str(exc)[:200])
                continue
            self.checkpoint("after_sms_send")
            self._finish(delivery_id, status="sent", provider_id=sid)
            sent += 1
        if retry:
            raise TransientSendError(f"{retry} SMS not accepted by Twilio yet; retrying")
        return sent

    def _claim(self, delivery_id: int, *, now: datetime) -> dict | None:
        with UnitOfWork(self.factory) as uow:
            session = uow.session
            row = next(iter(deliveries.lock(session, ids=[delivery_id], kind=KIND)), None)
            if row is None or row.status in ("sent", "skipped", "failed"):
                return None
            if row.status == "sending":  # an earlier attempt died mid-send: at most once
                row.status, row.payload, row.error = "failed", None, INTERRUPTED
                return None
            form = render(session, row, settings=self.settings, now=now) if self.settings.sms_enabled else None
            if form is None:
                row.status = "skipped"
                return None
            row.status, row.payload, row.attempts = "sending", form, row.attempts + 1
            return form

    def _finish(
        self, delivery_id: int, *, status: str, provider_id: str | None = None, error: str | None = None
    ) -> None:
        with UnitOfWork(self.factory) as uow:
            session = uow.session
            deliveries.finish(session, ids=[delivery_id], provider_ids=[provider_id], status=status, error=error)
