"""A real SMTP server on loopback (aiosmtpd) standing in for Resend's SMTP relay, for tests.

It accepts AUTH with any credentials (without TLS, unless a TLS context is given), records every message
with its envelope and the raw bytes, and honours `Resend-Idempotency-Key` the way the relay does: a
message whose key it has seen is accepted (250) and not stored again (`replays` counts those).
`fail_next(code)` answers the next DATA with that reply code instead.

    with FakeSMTP() as smtp:
        env["SMTP_URL"] = smtp.url
        ...
        [message] = smtp.wait_for("ana@example.com", 1)
        message["msg"].get_content_type()  # multipart/mixed
"""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
import time
from collections import deque

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.support.mailbox import Waits
from tests.support.processes import free_port

KEY_HEADER = "Resend-Idempotency-Key"


class _Handler:
    def __init__(self, outer: "FakeSMTP"):
        self.outer = outer

    async def handle_DATA(self, server, session, envelope):
        return self.outer._store(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)


def _accept_any(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True)


class FakeSMTP(Waits):
    def __init__(
        self, *, tls_context: ssl.SSLContext | None = None, implicit_tls: bool = False, require_starttls: bool = False
    ):
        self.messages: list[dict] = []
        self.keys: dict[str, int] = {}
        self.replays = 0
        self.lock = threading.Lock()
        self._fail: deque[str] = deque()
        self.port = free_port()
        options = {"authenticator": _accept_any, "auth_require_tls": False}
        if tls_context is not None and implicit_tls:
            options["ssl_context"] = tls_context
        elif tls_context is not None:
            options.update(tls_context=tls_context, require_starttls=require_starttls)
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()
        scheme = "smtps" if implicit_tls else "smtp"
        self.url = f"{scheme}://resend:re_test@127.0.0.1:{self.port}"

    # -- control ---------------------------------------------------------------------------------
    def fail_next(self, reply: str = "451 4.3.0 try again later", count: int = 1) -> None:
        with self.lock:
            self._fail.extend([reply] * count)

    def close(self) -> None:
        self.controller.stop()

    def __enter__(self) -> "FakeSMTP":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _store(self, mail_from: str, rcpt: list[str], raw: bytes) -> str:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        key = msg.get(KEY_HEADER)
        with self.lock:
            if self._fail:
                return self._fail.popleft()
            if key and key in self.keys:
                self.replays += 1
                return f"250 2.0.0 {self.keys[key]} already accepted"
            self.messages.append(
                {"mail_from": mail_from, "rcpt": rcpt, "raw": raw, "msg": msg, "key": key, "at": time.time()}
            )
            if key:
                self.keys[key] = len(self.messages)
            return f"250 2.0.0 queued as {len(self.messages)}"

    # -- queries ---------------------------------------------------------------------------------
    def to(self, addr: str) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if any(addr.lower() == r.lower() for r in m["rcpt"])]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def distinct_keys(self) -> int:
        with self.lock:
            return len(self.keys)


def parts(msg) -> list[tuple[str, dict, str | None]]:
    """(content type, parameters, filename) of every part, depth first, the root included."""
    return [
        (
            part.get_content_type(),
            dict(part["Content-Type"].params) if part["Content-Type"] else {},
            part.get_filename(),
        )
        for part in msg.walk()
    ]


def calendar_part(msg) -> tuple[str, bytes]:
    """The `method` parameter and the decoded body of the text/calendar alternative."""
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    return part.get_param("method"), part.get_payload(decode=True)


def attachment(msg, filename: str = "invite.ics") -> bytes | None:
    for part in msg.walk():
        if part.get_filename() == filename:
            return part.get_payload(decode=True)
    return None


def text_body(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()
