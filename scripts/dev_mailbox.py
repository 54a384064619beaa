"""A local stand-in for Resend: its HTTP API and its SMTP relay. Stores every email as a JSON file (an SMTP
message also as its raw `.eml`) and lists them at `/`.

`bin/run` starts it (unless RESEND_API_KEY is set) and points RESEND_API_URL and SMTP_URL here, so that
booking in the demo sends emails you can read at http://127.0.0.1:<port>/: plain emails through the API,
invitations as iMIP messages over SMTP, shown with every MIME part. Like Resend, a repeated
Idempotency-Key (API) or Resend-Idempotency-Key header (SMTP) stores nothing new. Binds 127.0.0.1 only.

    python scripts/dev_mailbox.py --port 8025 --smtp-port 2525 --dir var/mail
"""
from __future__ import annotations

import argparse
import base64
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
        record = {"via": "smtp", "from": str(msg["From"] or mail_from), "to": rcpt,
                  "subject": str(msg["Subject"] or ""), "parts": _parts(msg)}
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
        item = {"content_type": part.get_content_type(), "params": dict(part["Content-Type"].params)
                if part["Content-Type"] else {}, "filename": part.get_filename(), "depth": _depth(msg, part)}
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

    controller = Controller(_SmtpHandler(box), hostname="127.0.0.1", port=port, auth_require_tls=False,
                            authenticator=lambda *args: AuthResult(success=True))
    controller.start()
    return controller


def make_handler(box: Mailbox):
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

        def do_POST(self):
            path = self.path.split("?")[0].rstrip("/")
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
            if path.startswith("/emails/") and ID.match(path[8:]):
                email = box.find(path[8:])
                if email is None:
                    return self._json(404, {"message": "not found"})
                # The email's own HTML, sandboxed: no scripts, no same-origin access.
                page = email.get("html") or f"<pre>{html.escape(email.get('text') or '')}</pre>"
                parts = "".join(f"<h3>{html.escape(str(a.get('filename')))}</h3><pre>{html.escape(_attachment_text(a))}</pre>"
                                for a in email.get("attachments") or [])
                parts += "".join(_part_html(p) for p in email.get("parts") or [])
                return self._send(200, (page + parts).encode(), "text/html; charset=utf-8",
                                  {"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'"})
            if path == "/":
                return self._send(200, _index(box.emails()).encode(), "text/html; charset=utf-8",
                                  {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
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
        files = ", ".join([str(a.get("filename")) for a in e.get("attachments") or []] +
                          [p["content_type"] + (f" ({p['filename']})" if p.get("filename") else "")
                           for p in e.get("parts") or [] if not p["content_type"].startswith("multipart/")])
        rows.append(f"<tr><td>{html.escape(when)}</td><td>{html.escape(to)}</td>"
                    f"<td><a href=\"/emails/{html.escape(e['id'])}\">{html.escape(str(e.get('subject', '')))}</a></td>"
                    f"<td>{html.escape(files)}</td></tr>")
    body = "".join(rows) or "<tr><td colspan=4>No emails yet. Book an appointment in the demo.</td></tr>"
    return ("<!doctype html><meta charset=utf-8><title>Dev mailbox</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left}</style>"
            f"<h1>Dev mailbox ({len(emails)})</h1><table><tr><th>Received</th><th>To</th><th>Subject</th>"
            f"<th>Attachments</th></tr>{body}</table>")


def serve(port: int, directory: Path) -> ThreadingHTTPServer:
    """The HTTP side; its Mailbox is `.box` (share it with `serve_smtp`)."""
    box = Mailbox(directory)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(box))
    server.box = box
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--smtp-port", type=int, default=None, help="also receive SMTP on this port")
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    server = serve(args.port, args.dir)
    smtp = serve_smtp(args.smtp_port, server.box) if args.smtp_port else None
    print(f"dev mailbox on http://127.0.0.1:{args.port}/ (emails stored in {args.dir})"
          + (f", SMTP on 127.0.0.1:{args.smtp_port}" if smtp else ""), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if smtp is not None:
            smtp.stop()


if __name__ == "__main__":
    main()
