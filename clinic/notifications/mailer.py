"""Sending through the Resend SDK (plain emails) and over SMTP (invitations): idempotency keys, the shared
rate limit, and which failures are transient.

The SDK builds every URL from `resend.api_url`, read from RESEND_API_URL at import (tests point it at a
local fake server); nothing here names the provider's address.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from email.parser import BytesHeaderParser
from email.policy import SMTP
from urllib.parse import unquote, urlsplit

import resend
from resend.exceptions import ResendError

from clinic.notifications.imip import IDEMPOTENCY_HEADER
from clinic.notifications.ratelimit import ProviderRateLimiter

log = logging.getLogger(__name__)

MAX_BATCH = 100
# 429s answered in-process (waiting out retry-after) before the message is handed back to the queue.
MAX_RATE_LIMITED = 5


class TransientSendError(Exception):
    """Network trouble, 429 or 5xx: retrying later may succeed."""


class PermanentSendError(Exception):
    """The provider refused the request itself (400/401/403/422): retrying would repeat the refusal."""


def _code(exc: ResendError) -> int:
    try:
        return int(exc.code)
    except (TypeError, ValueError):
        return 500


def _retry_after(exc: ResendError, default: float = 1.0) -> float:
    headers = {k.lower(): v for k, v in (getattr(exc, "headers", None) or {}).items()}
    try:
        return max(float(headers.get("retry-after", default)), 0.0)
    except ValueError:
        return default


class Mailer:
    def __init__(self, *, api_key: str, limiter: ProviderRateLimiter | None):
        resend.api_key = api_key
        self.limiter = limiter
        self.rejected = 0  # 429s seen by this process (for benchmarks and logs)

    def send(self, params: dict, *, key: str) -> str:
        """One email (attachments allowed); returns the provider's id."""
        answer = self._call(lambda: resend.Emails.send(params, {"idempotency_key": key}))
        return str(answer["id"])

    def send_batch(self, items: list[dict], *, key: str) -> list[str]:
        """Up to 100 emails without attachments in one request; returns their ids in order."""
        if not 0 < len(items) <= MAX_BATCH:
            raise ValueError("a batch carries 1 to 100 emails")
        answer = self._call(lambda: resend.Batch.send(items, {"idempotency_key": key}))
        data = answer["data"] if isinstance(answer, dict) else answer
        return [str(item["id"]) for item in data]

    def _call(self, request):
        for _ in range(MAX_RATE_LIMITED):
            if self.limiter is not None:
                self.limiter.acquire()
            try:
                return request()
            except ResendError as exc:
                code = _code(exc)
                if code == 429:
                    self.rejected += 1
                    wait = _retry_after(exc)
                    log.warning("provider rate limit hit; waiting %.1f s", wait)
                    if self.limiter is not None:
                        self.limiter.back_off(wait)
                    else:
                        time.sleep(wait)
                    continue
                if code >= 500:  # the SDK reports network failures as 500 HttpClientError
                    raise TransientSendError(f"provider error {code}") from exc
                raise PermanentSendError(f"provider refused the request ({code})") from exc
        raise TransientSendError("provider kept answering 429")


class SmtpMailer:
    """Sends stored MIME messages over SMTP_URL: `smtps://` with implicit TLS, `smtp://` with STARTTLS
    whenever the server offers it; AUTH when the URL has credentials and the server offers it.

    One connection per message (invitations are rare next to reminders). The message must carry its
    `Resend-Idempotency-Key`, so a re-send after a crash is answered from the relay's store. Failures:
    4xx replies, refused or dropped connections and timeouts are transient; 5xx replies are permanent.
    `checkpoint("during_send")` runs once the envelope is accepted and before the message is handed over
    (fault tests kill the worker there).
    """

    def __init__(
        self,
        url: str,
        *,
        limiter: ProviderRateLimiter | None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        checkpoint=None,
    ):
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.limiter = limiter
        self.timeout = timeout
        self.context = ssl_context or ssl.create_default_context()
        self.checkpoint = checkpoint or (lambda point: None)

    def send(self, envelope: dict, *, key: str) -> str:
        """One stored message ({"from", "to", "message"}); returns the server's reply to DATA."""
        data = envelope["message"].encode("ascii")
        if BytesHeaderParser(policy=SMTP).parsebytes(data)[IDEMPOTENCY_HEADER] != key:
            raise ValueError("the message does not carry its idempotency key")
        if self.limiter is not None:
            self.limiter.acquire()
        try:
            with self._connect() as smtp:
                return self._transaction(smtp, envelope["from"], envelope["to"], data)
        except smtplib.SMTPResponseException as exc:
            kind = TransientSendError if 400 <= exc.smtp_code < 500 else PermanentSendError
            raise kind(f"SMTP {exc.smtp_code}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            kind = TransientSendError if all(400 <= code < 500 for code in codes) else PermanentSendError
            raise kind(f"SMTP recipient refused {codes}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # dropped, refused, timed out, TLS failure
            raise TransientSendError(f"SMTP {type(exc).__name__}") from exc

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if not self.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if self.user and smtp.has_extn("auth"):
                smtp.login(self.user, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _transaction(self, smtp: smtplib.SMTP, sender: str, recipients: list[str], data: bytes) -> str:
        code, reply = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for rcpt in recipients:
            code, reply = smtp.rcpt(rcpt)
            if code not in (250, 251):
                refused[rcpt] = (code, reply)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        self.checkpoint("during_send")
        code, reply = smtp.data(data)
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return reply.decode("utf-8", "replace")[:100]
