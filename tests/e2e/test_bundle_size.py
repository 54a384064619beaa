"""The production build's first page stays small: under 300 kB of JavaScript, gzipped."""

from __future__ import annotations

import gzip
import re

from tests.e2e.conftest import FRONTEND, _build_frontend

LIMIT = 300 * 1024


def first_page_scripts() -> list[str]:
    html = (FRONTEND / "dist" / "index.html").read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]+\.js)"', html)
    preloads = re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"', html)
    return scripts + preloads


def test_first_page_javascript_is_under_300_kb_gzipped():
    _build_frontend()
    scripts = first_page_scripts()
    assert scripts, "index.html loads no script?"
    sizes = {src: len(gzip.compress((FRONTEND / "dist" / src.lstrip("/")).read_bytes(), 9)) for src in scripts}
    total = sum(sizes.values())
    print(f"first-page JS gzipped: {total} bytes {sizes}")
    assert total < LIMIT, sizes


def test_calendar_and_staff_screens_are_split_out_of_the_first_page():
    _build_frontend()
    first = b"".join((FRONTEND / "dist" / s.lstrip("/")).read_bytes() for s in first_page_scripts())
    assert b"rbc-time-gutter" not in first  # react-big-calendar loads with the calendar screens
    assert b"rbc-addons-dnd" not in first  # and its drag-and-drop addon with the front desk only
