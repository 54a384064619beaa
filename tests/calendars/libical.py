"""libical (Evolution's engine, Debian's libical3) as a reader of what we generate: a tiny C program
(tests/calendars/libical/reader.c) compiled once per test run against the system library and fed each
document on stdin. `bin/test` installs `libical-dev`."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent / "libical" / "reader.c"


@cache
def _binary() -> Path:
    if shutil.which("pkg-config") is None or subprocess.run(["pkg-config", "--exists", "libical"]).returncode:
        pytest.fail("libical is required for the libical reader check: apt-get install -y libical-dev")
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "libical"], capture_output=True, text=True, check=True
    ).stdout.split()
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    binary = Path(tempfile.gettempdir()) / f"clinic-libical-reader-{digest}"
    if not binary.exists():
        partial = binary.with_suffix(".partial")
        subprocess.run(
            ["cc", "-O1", "-o", str(partial), str(SOURCE), *flags], check=True, capture_output=True, timeout=120
        )
        partial.replace(binary)
    return binary


def read(body: bytes) -> dict:
    """What libical understood: {method, restrictions_ok, errors, timezones, events: [{uid, sequence, status,
    partstat, tzid, start, end}]} with start and end as Unix times."""
    result = subprocess.run([str(_binary())], input=body, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return json.loads(result.stdout)
