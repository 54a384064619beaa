"""Waiting on a fake mail server's recorded messages, shared by the fakes (Resend API, SMTP, both)."""

from __future__ import annotations

import time


class Waits:
    """Polling waits over `to(addr)` and `count()`, which each fake defines."""

    def to(self, addr: str) -> list[dict]:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def wait_for(self, addr: str, count: int, timeout: float = 20.0) -> list[dict]:
        """Messages to `addr`, once there are `count` of them (or whatever there is after `timeout`)."""
        end = time.time() + timeout
        while time.time() < end and len(self.to(addr)) < count:
            time.sleep(0.1)
        return self.to(addr)

    def wait_count(self, count: int, timeout: float = 20.0) -> int:
        """The number of messages, once there are `count` (or whatever there is after `timeout`)."""
        end = time.time() + timeout
        while time.time() < end and self.count() < count:
            time.sleep(0.1)
        return self.count()
