"""A minimal server-sent-events client over a raw socket, for tests and the stream bench."""

from __future__ import annotations

import json
import socket
import threading
import time


class SSEClient:
    """Opens `GET path` with a Bearer token and collects `(monotonic time, event, data)` in a thread."""

    def __init__(self, host: str, port: int, token: str | None, path: str = "/api/events", timeout: float = 5):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n{auth}\r\n".encode()
        )
        self.events: list[tuple[float, str, dict]] = []
        self.status: int | None = None
        self.head = b""
        self.raw = b""
        self.closed = threading.Event()
        self.connected = threading.Event()  # the server's ": connected" comment arrived
        self._lock = threading.Lock()
        self.sock.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
                if self.status is None and b"\r\n\r\n" in buf:
                    self.head, buf = buf.split(b"\r\n\r\n", 1)
                    self.status = int(self.head.split(b" ", 2)[1])
                if self.status is None:
                    continue
                self.raw += buf
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    self._block(block.decode())
        except OSError:
            pass
        finally:
            if self.status is not None and self.status != 200:
                self.raw += buf
            self.closed.set()
            self.connected.set()

    def _block(self, block: str) -> None:
        kind, data = None, []
        for line in block.split("\n"):
            if line.startswith(": connected"):
                self.connected.set()
            elif line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if kind:
            with self._lock:
                self.events.append((time.monotonic(), kind, json.loads("\n".join(data) or "{}")))

    def wait_connected(self, timeout: float = 10) -> None:
        assert self.connected.wait(timeout), "the stream did not open"
        assert self.status == 200, (self.status, self.head, self.raw)

    def appointment_events(self, appointment_id: int | None = None) -> list[tuple[float, dict]]:
        with self._lock:
            return [
                (t, d)
                for t, k, d in self.events
                if k == "appointment" and (appointment_id is None or d.get("id") == appointment_id)
            ]

    def wait_for(self, appointment_id: int, status: str, timeout: float = 5) -> float:
        """When (monotonic) the event for this appointment in this status arrived; fails after `timeout`."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for at, data in self.appointment_events(appointment_id):
                if data["status"] == status:
                    return at
            time.sleep(0.02)
        raise AssertionError(f"no {status} event for appointment {appointment_id}: {self.events}")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
