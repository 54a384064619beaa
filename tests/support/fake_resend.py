"""A local stand-in for the Resend HTTP API, for tests and benchmarks.

Point the SDK at it with RESEND_API_URL=<server.url>. It records every POST /emails and /emails/batch,
honours `Idempotency-Key` the way the real API does (a repeated key returns the first answer and stores
nothing new), and can answer 429 with `retry-after`: on demand (`fail_next`) or by enforcing a
requests-per-second limit (`limit_per_second`), like Resend's per-team limit.

    with FakeResend(limit_per_second=2) as fake:
        env["RESEND_API_URL"] = fake.url
        ...
        fake.wait_for("ana@example.com", 1)
        assert fake.distinct_keys() == len(fake.emails)
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.mailbox import Waits


class FakeResend(Waits):
    def __init__(self, *, limit_per_second: float | None = None, port: int = 0):
        self.emails: list[dict] = []  # one entry per stored email (batch items included)
        self.keys: dict[str, list[str]] = {}  # idempotency key -> ids answered
        self.requests = 0  # every POST, including 429s and replays
        self.replays = 0  # POSTs answered from the idempotency store
        self.rejected = 0  # 429 answers
        self.request_times: list[float] = []  # accepted (200) request times
        self.limit_per_second = limit_per_second
        self._window: deque[float] = deque()
        self._fail: deque[tuple[int, float]] = deque()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    # -- control ---------------------------------------------------------------------------------
    def fail_next(self, count: int = 1, *, status: int = 429, retry_after: float = 1.0) -> None:
        """Answer the next `count` POSTs with `status` (429 carries `retry-after`)."""
        with self.lock:
            self._fail.extend([(status, retry_after)] * count)

    def reset(self) -> None:
        with self.lock:
            self.emails.clear()
            self.keys.clear()
            self.requests = self.replays = self.rejected = 0
            self.request_times.clear()
            self._window.clear()
            self._fail.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeResend":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- queries ---------------------------------------------------------------------------------
    def to(self, addr: str) -> list[dict]:
        with self.lock:
            return [e for e in self.emails if addr in json.dumps(e.get("to"))]

    def distinct_keys(self) -> int:
        with self.lock:
            return len(self.keys)

    def count(self) -> int:
        with self.lock:
            return len(self.emails)

    # -- HTTP ------------------------------------------------------------------------------------
    def _decide(self, now: float) -> tuple[int, float] | None:
        """Under the lock: a forced failure, or a 429 when the rolling 1 s window is full."""
        if self._fail:
            return self._fail.popleft()
        if self.limit_per_second:
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= self.limit_per_second:
                wait = max(0.0, self._window[0] + 1.0 - now)
                return 429, wait
            self._window.append(now)
        return None

    def _handler(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n) or b"null")
                key = self.headers.get("Idempotency-Key")
                batch = self.path.rstrip("/").endswith("batch")
                now = time.time()
                with outer.lock:
                    outer.requests += 1
                    failure = outer._decide(now)
                    if failure is None:
                        outer.request_times.append(now)
                        if key and key in outer.keys:
                            outer.replays += 1
                            ids = outer.keys[key]
                        else:
                            ids = []
                            for item in body if isinstance(body, list) else [body]:
                                eid = str(uuid.uuid4())
                                ids.append(eid)
                                outer.emails.append({"id": eid, "path": self.path, "key": key, "at": now, **item})
                            if key:
                                outer.keys[key] = ids
                    elif failure[0] == 429:
                        outer.rejected += 1
                if failure is not None:
                    status, retry_after = failure
                    headers = {"retry-after": str(max(1, math.ceil(retry_after)))} if status == 429 else {}
                    name = "rate_limit_exceeded" if status == 429 else "application_error"
                    self._answer(status, {"statusCode": status, "name": name, "message": "fake failure"}, headers)
                    return
                self._answer(200, {"data": [{"id": i} for i in ids]} if batch else {"id": ids[0]})

        return Handler


def attachment_text(email: dict, filename: str = "invite.ics") -> str | None:
    """The decoded content of one attachment (the SDK sends base64 strings or byte lists)."""
    for a in email.get("attachments") or []:
        if a.get("filename") != filename:
            continue
        content = a.get("content")
        if isinstance(content, list):
            return bytes(content).decode("utf-8", "replace")
        return base64.b64decode(content).decode("utf-8", "replace")
    return None
