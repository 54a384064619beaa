"""Invitation emails as iMIP messages (RFC 6047), built the way Google Calendar builds its own:

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; charset="UTF-8"; method=REQUEST|CANCEL   <- what Gmail, Outlook and Apple act on
      application/ics; name="invite.ics" (attachment)            <- the same calendar, as a file

Built with the standard library's `email` package only. The message is rendered once, stored with the
delivery row and re-sent byte for byte on a retry, so its Date, Message-ID and `Resend-Idempotency-Key`
(Resend's SMTP relay honours it as its API honours `Idempotency-Key`) never change between attempts.
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from clinic.notifications.content import Email

IDEMPOTENCY_HEADER = "Resend-Idempotency-Key"


def sender_address(sender: str) -> str:
    """The bare address of EMAIL_FROM (`Clínica <citas@example.com>` -> `citas@example.com`)."""
    return parseaddr(sender)[1]


def message(email: Email, *, sender: str, calendar: bytes, method: str, key: str, now: datetime) -> EmailMessage:
    """The whole MIME message for one invitation email; `calendar` is the iTIP document whose METHOD is
    `method`."""
    msg = EmailMessage(policy=SMTP)
    name, address = parseaddr(sender)
    msg["From"] = Address(display_name=name, addr_spec=address) if name else address
    msg["To"] = email.to
    msg["Subject"] = email.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    msg[IDEMPOTENCY_HEADER] = key
    msg.set_content(email.text)
    msg.add_alternative(email.html, subtype="html")
    text = calendar.decode("utf-8")
    # Base64 keeps the calendar's CRLF line ends and folded lines exactly as written.
    msg.add_alternative(text, subtype="calendar", charset="UTF-8", cte="base64", params={"method": method})
    msg.add_attachment(
        calendar, maintype="application", subtype="ics", filename="invite.ics", params={"name": "invite.ics"}
    )
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # `email` repeats it on every part it creates; only the top needs it
    return msg


def envelope(msg: EmailMessage, *, sender: str) -> dict:
    """What the delivery row stores and the SMTP mailer sends: the envelope and the serialised message
    (7-bit: every non-ASCII header and part is encoded)."""
    return {
        "from": sender_address(sender),
        "to": [msg["To"].addresses[0].addr_spec],
        "message": msg.as_string(policy=SMTP),
    }
