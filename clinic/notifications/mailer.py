"""Sending through the Resend SDK: idempotency keys, the shared rate limit, and which failures are transient.

The SDK builds every URL from `resend.api_url`, read from RESEND_API_URL at import (tests point it at a
local fake server); nothing here names the provider's address.
"""
from __future__ import annotations

import logging
import time

import resend
from resend.exceptions import ResendError

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
