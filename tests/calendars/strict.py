"""Independent strict parsing of what we generate: the `ical` package and Mozilla's ical.js.

Neither is icalendar, which wrote the documents.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from ical.calendar import Calendar as StrictCalendar
from ical.calendar_stream import IcsCalendarStream


def parse(body: bytes) -> StrictCalendar:
    text = body.decode("utf-8")
    assert "\r\n" in text and not re.search(r"[^\r]\n", text), "lines must end with CRLF"
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n")), "lines must be folded at 75 octets"
    return IcsCalendarStream.calendar_from_ics(text)


def parse_with_private_zones(body: bytes, zone: str) -> StrictCalendar:
    """Rename the TZID so that the parser must use our VTIMEZONE rather than its own tz database."""
    return parse(body.replace(zone.encode(), b"Private/Zone"))


def prop(body: bytes, name: str) -> list[str]:
    """Raw (unfolded) content lines of one property, parameters included."""
    text = body.decode("utf-8").replace("\r\n ", "")
    return [line for line in text.split("\r\n") if re.match(rf"{name}[;:]", line)]


def utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


JS_DIR = Path(__file__).resolve().parent / "js"


def icaljs(body: bytes) -> dict:
    """What Mozilla's ical.js (a second, independent parser) reads; it resolves TZIDs only via our VTIMEZONEs."""
    if shutil.which("node") is None:
        pytest.fail("node is required for the ical.js check (Node 20 is part of the environment)")
    if not (JS_DIR / "node_modules" / "ical.js").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, capture_output=True, timeout=120
        )
    result = subprocess.run(["node", str(JS_DIR / "check.mjs")], input=body, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return json.loads(result.stdout)


def js_utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
