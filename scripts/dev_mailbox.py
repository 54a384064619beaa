"""A local stand-in for Resend (its HTTP API and its SMTP relay) and for Twilio's Messages API. Stores every
email as a JSON file (an SMTP message also as its raw `.eml`) and every text message in `sms/`, and lists
them at `/`.

SMS: `bin/run` points TWILIO_API_URL here with a made-up account; texts the system sends (Basic auth
checked) are shown with their body, and the page's form sends a reply *as the patient's phone*: signed
with X-Twilio-Signature (Twilio's own RequestValidator) over PUBLIC_URL + /api/sms/inbound and posted
there, its TwiML answer shown next to it. So the whole loop (reminder -> SI/NO/BAJA -> answer) runs locally.

`bin/run` starts it (unless RESEND_API_KEY is set) and points RESEND_API_URL and SMTP_URL here, so that
booking in the demo sends emails you can read at http://127.0.0.1:<port>/: plain emails through the API,
invitations as iMIP messages over SMTP, shown with every MIME part. Like Resend, a repeated
Idempotency-Key (API) or Resend-Idempotency-Key header (SMTP) stores nothing new. Binds 127.0.0.1 only.

    python scripts/dev_mailbox.py --port 8025 --smtp-port 2525 --dir var/mail
"""

from __future__ import annotations

import argparse
import base64
import secrets
import email
import email.policy
import html
import json
import os
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib import request as urlrequest
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, urlencode

ID = re.compile(r"^[0-9a-f-]{36}$")


class Mailbox:
    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.dir.chmod(0o700)  # emails carry names, addresses and appointments: the owner's eyes only
        self.lock = threading.Lock()
        keys = self.dir / "idempotency.json"
        self.keys: dict[str, list[str]] = json.loads(keys.read_text()) if keys.exists() else {}

    def store(self, items: list[dict], key: str | None) -> list[str]:
        with self.lock:
            if key and key in self.keys:
                return self.keys[key]
            ids = []
            for item in items:
                eid = str(uuid.uuid4())
                record = {"id": eid, "received_at": time.time(), "idempotency_key": key, **item}
                _write_private(self.dir / f"{time.time_ns()}-{eid}.json", json.dumps(record, ensure_ascii=False))
                ids.append(eid)
            if key:
                self.keys[key] = ids
                _write_private(self.dir / "idempotency.json", json.dumps(self.keys))
            return ids

    def store_message(self, raw: bytes, mail_from: str, rcpt: list[str]) -> str:
        """One SMTP message; returns its id (the first one's when its idempotency key was seen)."""
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "via": "smtp",
            "from": str(msg["From"] or mail_from),
            "to": rcpt,
            "subject": str(msg["Subject"] or ""),
            "parts": _parts(msg),
        }
        body = msg.get_body(preferencelist=("html", "plain"))
        if body is not None:
            record["html" if body.get_content_type() == "text/html" else "text"] = body.get_content()
        [eid] = self.store([record], msg["Resend-Idempotency-Key"])
        eml = self.dir / f"{eid}.eml"
        if not eml.exists():
            eml.write_bytes(raw)
        return eid

    def emails(self) -> list[dict]:
        files = sorted(self.dir.glob("*-*.json"), reverse=True)
        return [json.loads(p.read_text()) for p in files]

    def store_text(self, record: dict) -> dict:
        """One text message (sent by the system, or a reply sent from this page)."""
        folder = self.dir / "sms"
        folder.mkdir(mode=0o700, exist_ok=True)
        record = {"id": str(uuid.uuid4()), "received_at": time.time(), **record}
        _write_private(folder / f"{time.time_ns()}-{record['id']}.json", json.dumps(record, ensure_ascii=False))
        return record

    def texts(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted((self.dir / "sms").glob("*-*.json"), reverse=True)]

    def find(self, eid: str) -> dict | None:
        for p in self.dir.glob(f"*-{eid}.json"):
            return json.loads(p.read_text())
        return None


def _write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner may read (0600), whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def _attachment_text(a: dict) -> str:
    c = a.get("content")
    if isinstance(c, list):
        return bytes(c).decode("utf-8", "replace")
    if isinstance(c, str):
        try:
            return base64.b64decode(c).decode("utf-8", "replace")
        except ValueError:
            return c
    return ""


def _parts(msg) -> list[dict]:
    """Every MIME part: its type and parameters, and the decoded text of the leaves (calendars included)."""
    out = []
    for part in msg.walk():
        item = {
            "content_type": part.get_content_type(),
            "params": dict(part["Content-Type"].params) if part["Content-Type"] else {},
            "filename": part.get_filename(),
            "depth": _depth(msg, part),
        }
        if not part.is_multipart():
            item["text"] = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
        out.append(item)
    return out


def _depth(root, part, level: int = 0) -> int:
    if root is part:
        return level
    for child in root.iter_parts() if root.is_multipart() else ():
        found = _depth(child, part, level + 1)
        if found >= 0:
            return found
    return -1


class _SmtpHandler:
    def __init__(self, box: Mailbox):
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        eid = self.box.store_message(envelope.original_content, envelope.mail_from, list(envelope.rcpt_tos))
        return f"250 2.0.0 queued as {eid}"


def serve_smtp(port: int, box: Mailbox):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); any credentials are accepted. Call .stop() to end it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    controller = Controller(
        _SmtpHandler(box),
        hostname="127.0.0.1",
        port=port,
        auth_require_tls=False,
        authenticator=lambda *args: AuthResult(success=True),
    )
    controller.start()
    return controller


class FakeTwilio:
    """The account the system sends with (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN) and where replies go."""

    def __init__(self, sid: str, token: str, webhook: str):
        self.sid, self.token, self.webhook = sid, token, webhook
        self.form_token = secrets.token_urlsafe(16)  # only this page's form may send replies

    def authorized(self, header: str | None, path: str) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        return header == expected and path == f"/2010-04-01/Accounts/{self.sid}/Messages.json"

    def reply(self, box: Mailbox, *, from_: str, body: str, to: str) -> dict:
        """Send a reply to the web's webhook, signed as Twilio signs it; record it with the answer."""
        from twilio.request_validator import RequestValidator

        params = {
            "From": from_,
            "To": to,
            "Body": body,
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": self.sid,
            "NumMedia": "0",
        }
        signature = RequestValidator(self.token).compute_signature(self.webhook, params)
        req = urlrequest.Request(
            self.webhook,
            data=urlencode(params).encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        try:
            with urlrequest.urlopen(req, timeout=15) as r:
                status, answer = r.status, r.read().decode("utf-8", "replace")
        except HTTPError as e:
            status, answer = e.code, e.read().decode("utf-8", "replace")
        except (URLError, OSError) as e:
            status, answer = 0, f"could not reach {self.webhook}: {e}"
        return box.store_text(
            {"direction": "in", "From": from_, "To": to, "Body": body, "status": status, "answer": answer}
        )


def make_handler(box: Mailbox, twilio: FakeTwilio | None = None):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def _form(self) -> dict:
            n = int(self.headers.get("Content-Length") or 0)
            return {k: v[0] for k, v in parse_qs(self.rfile.read(n).decode("utf-8", "replace")).items()}

        def _twilio_message(self):
            form = self._form()
            if twilio is None or not twilio.authorized(self.headers.get("Authorization"), self.path.split("?")[0]):
                return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            if not form.get("To") or not form.get("Body"):
                return self._json(400, {"code": 21602, "message": "Message body and To are required", "status": 400})
            record = box.store_text(
                {
                    "direction": "out",
                    "To": form["To"],
                    "From": form.get("From"),
                    "Body": form["Body"],
                    "sid": "SM" + uuid.uuid4().hex,
                }
            )
            return self._json(
                201,
                {
                    "sid": record["sid"],
                    "status": "queued",
                    "to": form["To"],
                    "from": form.get("From"),
                    "body": form["Body"],
                },
            )

        def _send_reply(self):
            form = self._form()
            if twilio is None or form.get("csrf") != twilio.form_token or not form.get("From"):
                return self._json(403, {"message": "replies are sent from this page's form"})
            twilio.reply(box, from_=form["From"].strip(), body=form.get("Body", ""), to=form.get("To") or "")
            self._send(303, b"", "text/plain", {"Location": "/#texts"})

        def do_POST(self):
            path = self.path.split("?")[0].rstrip("/")
            if path.startswith("/2010-04-01/"):
                return self._twilio_message()
            if path == "/sms/reply":
                return self._send_reply()
            if path not in ("/emails", "/emails/batch"):
                return self._json(404, {"message": "not found"})
            n = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(n) or b"null")
            except ValueError:
                return self._json(400, {"message": "invalid JSON"})
            items = body if isinstance(body, list) else [body]
            if not all(isinstance(i, dict) for i in items):
                return self._json(422, {"message": "expected an object or a list of objects"})
            ids = box.store(items, self.headers.get("Idempotency-Key"))
            if path.endswith("batch"):
                return self._json(200, {"data": [{"id": i} for i in ids]})
            return self._json(200, {"id": ids[0]})

        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/api/emails":
                return self._json(200, box.emails())
            if path == "/api/texts":
                return self._json(200, box.texts())
            if path.startswith("/emails/") and ID.match(path[8:]):
                email = box.find(path[8:])
                if email is None:
                    return self._json(404, {"message": "not found"})
                # The email's own HTML, sandboxed: no scripts, no same-origin access.
                page = email.get("html") or f"<pre>{html.escape(email.get('text') or '')}</pre>"
                parts = "".join(
                    f"<h3>{html.escape(str(a.get('filename')))}</h3><pre>{html.escape(_attachment_text(a))}</pre>"
                    for a in email.get("attachments") or []
                )
                parts += "".join(_part_html(p) for p in email.get("parts") or [])
                return self._send(
                    200,
                    (page + parts).encode(),
                    "text/html; charset=utf-8",
                    {"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'"},
                )
            if path == "/":
                return self._send(
                    200,
                    (_index(box.emails()) + _texts(box.texts(), twilio)).encode(),
                    "text/html; charset=utf-8",
                    {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
                )
            return self._json(404, {"message": "not found"})

    return Handler


def _part_html(part: dict) -> str:
    params = "".join(f"; {k}={v}" for k, v in part.get("params", {}).items())
    head = "&nbsp;" * 4 * max(part.get("depth", 0), 0) + html.escape(part["content_type"] + params)
    if part.get("filename"):
        head += f" ({html.escape(part['filename'])})"
    text = part.get("text")
    return f"<h3>{head}</h3>" + (f"<pre>{html.escape(text)}</pre>" if text is not None else "")


def _index(emails: list[dict]) -> str:
    rows = []
    for e in emails:
        to = e.get("to")
        to = ", ".join(to) if isinstance(to, list) else str(to)
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.get("received_at", 0)))
        files = ", ".join(
            [str(a.get("filename")) for a in e.get("attachments") or []]
            + [
                p["content_type"] + (f" ({p['filename']})" if p.get("filename") else "")
                for p in e.get("parts") or []
                if not p["content_type"].startswith("multipart/")
            ]
        )
        rows.append(
            f"<tr><td>{html.escape(when)}</td><td>{html.escape(to)}</td>"
            f'<td><a href="/emails/{html.escape(e["id"])}">{html.escape(str(e.get("subject", "")))}</a></td>'
            f"<td>{html.escape(files)}</td></tr>"
        )
    body = "".join(rows) or "<tr><td colspan=4>No emails yet. Book an appointment in the demo.</td></tr>"
    return (
        "<!doctype html><meta charset=utf-8><title>Dev mailbox</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left}</style>"
        f"<h1>Dev mailbox ({len(emails)})</h1><table><tr><th>Received</th><th>To</th><th>Subject</th>"
        f"<th>Attachments</th></tr>{body}</table>"
    )


def _texts(texts: list[dict], twilio: FakeTwilio | None) -> str:
    """The SMS/WhatsApp section: every text, newest first, and the form that replies as a patient's phone."""
    if twilio is None:
        return "<h2 id=texts>Texts</h2><p>The SMS channel is not pointed here (TWILIO_* set elsewhere).</p>"
    rows = []
    for t in texts:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t.get("received_at", 0)))
        if t.get("direction") == "in":
            who = f"{html.escape(str(t.get('From')))} &rarr; clinic (reply, HTTP {int(t.get('status') or 0)})"
            extra = f"<br><small>answer: {html.escape(str(t.get('answer', '')))}</small>"
        else:
            who = f"clinic &rarr; {html.escape(str(t.get('To')))}"
            extra = ""
        rows.append(
            f"<tr><td>{html.escape(when)}</td><td>{who}</td>"
            f"<td><pre style='white-space:pre-wrap;margin:0'>{html.escape(str(t.get('Body', '')))}</pre>"
            f"{extra}</td></tr>"
        )
    latest = next((t for t in texts if t.get("direction") == "out"), None)
    number = html.escape(str(latest.get("To", ""))) if latest else ""
    sender = html.escape(str(latest.get("From", ""))) if latest else ""
    body = (
        "".join(rows)
        or "<tr><td colspan=3>No texts yet. Opt in to SMS on the account page, book, and "
        "run the reminder sweep.</td></tr>"
    )
    return (
        f"<h2 id=texts>Texts: SMS/WhatsApp ({len(texts)})</h2>"
        "<table><tr><th>When</th><th>Who</th><th>Text</th></tr>" + body + "</table>"
        "<h3>Reply as the patient's phone</h3>"
        "<form method=post action=/sms/reply>"
        f"<input type=hidden name=csrf value={html.escape(twilio.form_token)}>"
        f'<input type=hidden name=To value="{sender}">'
        f'<label>From <input name=From value="{number}" placeholder="+34600112233" required></label> '
        '<label>Text <input name=Body value="SI" required></label> '
        "<button>Send signed reply</button></form>"
        f"<p><small>Signed with the account's token over {html.escape(twilio.webhook)}. "
        "SI/YES/1 confirms, NO/CANCELAR/2 cancels, BAJA/STOP opts out.</small></p>"
    )


def serve(port: int, directory: Path, twilio: FakeTwilio | None = None) -> ThreadingHTTPServer:
    """The HTTP side; its Mailbox is `.box` (share it with `serve_smtp`). With `twilio`, also Twilio's
    Messages API and the reply form."""
    box = Mailbox(directory)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(box, twilio))
    server.box = box
    return server


def twilio_from_env(env: dict) -> FakeTwilio | None:
    """The fake account when the system's TWILIO_API_URL points here (bin/run sets it)."""
    if not (env.get("TWILIO_ACCOUNT_SID") and env.get("TWILIO_AUTH_TOKEN") and env.get("PUBLIC_URL")):
        return None
    return FakeTwilio(
        env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"], env["PUBLIC_URL"].rstrip("/") + "/api/sms/inbound"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--smtp-port", type=int, default=None, help="also receive SMTP on this port")
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    server = serve(args.port, args.dir, twilio_from_env(dict(os.environ)))
    smtp = serve_smtp(args.smtp_port, server.box) if args.smtp_port else None
    print(
        f"dev mailbox on http://127.0.0.1:{args.port}/ (emails stored in {args.dir})"
        + (f", SMTP on 127.0.0.1:{args.smtp_port}" if smtp else ""),
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if smtp is not None:
            smtp.stop()


if __name__ == "__main__":
    main()
