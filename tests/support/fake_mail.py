"""Both of the system's mail paths at once, for tests that run real processes: a fake Resend HTTP API
(plain emails: reminders, agendas, follow-ups) and a real SMTP server on loopback (invitations: booked,
moved, cancelled). Point the processes at both (`env(...)`) and query one list of emails; an SMTP message
is shown in the HTTP API's shape (to, subject, text, html, attachments) plus its parsed `msg` and `raw`.

    with FakeMail() as fake:
        env = process_env(db, redis, fake.url, SMTP_URL=fake.smtp_url)
        [confirmation] = fake.wait_for("ana@example.com", 1)
        confirmation["path"]  # "smtp"
"""

from __future__ import annotations

import base64

from tests.support.fake_resend import FakeResend
from tests.support.fake_smtp import FakeSMTP
from tests.support.mailbox import Waits


def _as_api_email(message: dict) -> dict:
    msg = message["msg"]
    body = {kind: msg.get_body(preferencelist=(kind,)) for kind in ("plain", "html")}
    attachments = [
        {
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "content": base64.b64encode(part.get_payload(decode=True)).decode("ascii"),
        }
        for part in msg.iter_attachments()
    ]
    return {
        "id": f"smtp-{message['at']}",
        "path": "smtp",
        "key": message["key"],
        "at": message["at"],
        "from": str(msg["From"]),
        "to": message["rcpt"],
        "subject": str(msg["Subject"]),
        "text": body["plain"].get_content() if body["plain"] else "",
        "html": body["html"].get_content() if body["html"] else "",
        "attachments": attachments,
        "msg": msg,
        "raw": message["raw"],
    }


class FakeMail(Waits):
    def __init__(self, **resend_options):
        self.resend = FakeResend(**resend_options)
        self.smtp = FakeSMTP()
        self.url = self.resend.url
        self.smtp_url = self.smtp.url

    def close(self) -> None:
        self.resend.close()
        self.smtp.close()

    def __enter__(self) -> "FakeMail":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def emails(self) -> list[dict]:
        with self.resend.lock:
            api = list(self.resend.emails)
        with self.smtp.lock:
            smtp = list(self.smtp.messages)
        return sorted(api + [_as_api_email(m) for m in smtp], key=lambda e: e["at"])

    @property
    def replays(self) -> int:
        return self.resend.replays + self.smtp.replays

    def to(self, addr: str) -> list[dict]:
        return [e for e in self.emails if any(addr in str(to) for to in _recipients(e))]

    def count(self) -> int:
        return len(self.emails)

    def distinct_keys(self) -> int:
        return self.resend.distinct_keys() + self.smtp.distinct_keys()


def _recipients(email: dict) -> list:
    to = email.get("to")
    return to if isinstance(to, list) else [to]
