"""A local stand-in for Twilio's Messages REST API, and signed inbound webhooks, for tests.

Point the processes at it with TWILIO_API_URL=<fake.url> and TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN =
FakeTwilio.SID / FakeTwilio.TOKEN. It checks HTTP Basic auth (401 otherwise), records each form-encoded
POST /2010-04-01/Accounts/{sid}/Messages.json (To, From, Body) and answers 201 with a message SID, as
Twilio does; `fail_next` answers the next requests with another status instead (nothing recorded).
`signature` computes X-Twilio-Signature the way Twilio signs its webhooks (HMAC-SHA1 over the URL and the
sorted POST parameters), to send signed (and badly signed) replies. (Adapted from the contract harness.)

    with FakeTwilio() as twilio:
        env.update(twilio.env())
        [sms] = twilio.wait_for("+34600112233", 1)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.support.mailbox import Waits


def signature(auth_token: str, url: str, params: dict) -> str:
    """X-Twilio-Signature as Twilio computes it: HMAC-SHA1 over the URL and the sorted POST params."""
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class FakeTwilio(Waits):
    SID = "AC" + "0" * 32
    TOKEN = "test-twilio-token"

    def __init__(self, *, port: int = 0):
        self.messages: list[dict] = []
        self.unauthorized = 0
        self._fail: deque[int] = deque()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(n).decode()).items()}
                expected = "Basic " + base64.b64encode(f"{outer.SID}:{outer.TOKEN}".encode()).decode()
                if (
                    self.headers.get("Authorization") != expected
                    or self.path != f"/2010-04-01/Accounts/{outer.SID}/Messages.json"
                    or "application/x-www-form-urlencoded" not in (self.headers.get("Content-Type") or "")
                ):
                    with outer.lock:
                        outer.unauthorized += 1
                    return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                with outer.lock:
                    fail = outer._fail.popleft() if outer._fail else None
                if fail is not None:
                    return self._answer(
                        fail, {"code": 20429 if fail == 429 else 20500, "message": "failing", "status": fail}
                    )
                sid = "SM" + uuid.uuid4().hex
                with outer.lock:
                    outer.messages.append({"sid": sid, "path": self.path, "at": time.time(), **form})
                self._answer(
                    201,
                    {
                        "sid": sid,
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                    },
                )

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def env(self, from_: str = "+34900000000") -> dict:
        return {
            "TWILIO_ACCOUNT_SID": self.SID,
            "TWILIO_AUTH_TOKEN": self.TOKEN,
            "TWILIO_FROM": from_,
            "TWILIO_API_URL": self.url,
        }

    def fail_next(self, count: int = 1, *, status: int = 429) -> None:
        with self.lock:
            self._fail.extend([status] * count)

    def to(self, number: str) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if number in (m.get("To") or "")]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeTwilio":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
