"""JSON logs on stdout, shared by every process. Messages never carry personal or clinical data."""

from __future__ import annotations

import json
import logging
import re
import sys


# An email address anywhere in a line (a library's message, an exception's text): replaced, whatever
# logged it. The sources are fixed too (e.g. the rate limiter's key is a hash); this is the safety net.
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED = "<email>"


def redact(line: str) -> str:
    return EMAIL.sub(REDACTED, line) if "@" in line else line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(self._format(record))

    def _format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("request_id", "method", "route", "status", "ms", "fast_path", "task", "message_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    # No format here shows the caller's file and line: skip the frame walk that finds them for every
    # record (the logging HOWTO's "Optimization" section), at one access line per request.
    logging._srcfile = None
    root = logging.getLogger()
    if any(getattr(h, "_clinic", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler._clinic = True
    root.addHandler(handler)
    root.setLevel(level)
