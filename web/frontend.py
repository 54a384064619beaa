"""Serves the built frontend (`frontend/dist`) at `/`, with the SPA's client-side routes.

The build writes a brotli (`.br`) and a gzip (`.gz`) twin next to every text asset (the `precompress` plugin
of `frontend/vite.config.js`); a request gets the smallest one its `Accept-Encoding` accepts, with
`Vary: Accept-Encoding` so caches keep them apart. Files under `assets/` carry a content hash in their names
and are cached for a year as immutable; `index.html` (which names them) is revalidated on every load.

Early hints of a route: the build writes `preloads.json` (the `routePreloads` plugin of `vite.config.js`: per
client-side route, its own chunks and the public data its first screen shows). `index.html` served for such a
route carries them as `Link: rel=modulepreload / preload` headers, so the browser fetches the route's code and
data in parallel with the entry script instead of after it (the first screen of a slow phone was a waterfall
of four round trips). `/api/me` is announced only when the request carries the readable CSRF cookie of an
access token, exactly when the app asks for it first.
"""

from __future__ import annotations

import json
import mimetypes
import re
from functools import lru_cache
from pathlib import Path, PurePosixPath

from flask import Blueprint, abort, request, send_from_directory

from web.routing import AppPathConverter

DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
# A path ending in one of these names a file, never a client-side route of the app.
FILE_SUFFIXES = frozenset(
    {
        ".js",
        ".mjs",
        ".css",
        ".map",
        ".json",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".ico",
        ".webp",
        ".avif",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".txt",
        ".xml",
        ".webmanifest",
        ".html",
        ".ics",
        ".pdf",
        ".zip",
        ".wasm",
    }
)
# Preferred first: brotli is about 15 % smaller than gzip on our bundles.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
IMMUTABLE = "public, max-age=31536000, immutable"


def is_app_route(path: str) -> bool:
    """Whether a path that is not a file of the build may fall back to the app's `index.html`: not the API
    (unknown API paths are JSON 404s), not the build's assets, not anything named like a file (a missing
    file is a 404, never a page of HTML with 200)."""
    first = path.split("/", 1)[0]
    if first in ("api", "assets"):
        return False
    return PurePosixPath(path).suffix.lower() not in FILE_SUFFIXES


def _accepted(encoding: str) -> bool:
    # `br;q=0` refuses it; `*` accepts anything not named.
    accept = request.accept_encodings
    named = {value.lower(): quality for value, quality in accept}
    if encoding in named:
        return named[encoding] > 0
    return named.get("*", 0) > 0


def _send(dist: Path, path: str, cache_control: str):
    """The file, or its precompressed twin when the client accepts one; `Vary` either way when a twin exists."""
    twins = [(name, suffix) for name, suffix in ENCODINGS if (dist / (path + suffix)).is_file()]
    chosen = next(((name, suffix) for name, suffix in twins if _accepted(name)), None)
    if chosen is None:
        response = send_from_directory(dist, path, max_age=0)
    else:
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        response = send_from_directory(dist, path + chosen[1], mimetype=mimetype, max_age=0)
        response.headers["Content-Encoding"] = chosen[0]
    if twins:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = cache_control
    return response


@lru_cache(maxsize=8)
def _preloads(path: Path, mtime_ns: int) -> tuple[list[str], list[tuple[re.Pattern, list[str]]], str | None, list[str]]:
    """The entry's Link values, (route pattern, Link values) pairs, and the cookie that announces the signed-in
    data with its Link values, of one build."""
    del mtime_ns  # part of the cache key only: a new build is read again

    def links(item: dict) -> list[str]:
        return (
            [f"<{url}>; rel=modulepreload" for url in item.get("scripts", [])]
            + [f"<{url}>; rel=preload; as=style; crossorigin" for url in item.get("styles", [])]
            + [f"<{url}>; rel=preload; as=fetch; crossorigin" for url in item.get("data", [])]
        )

    spec = json.loads(path.read_text())
    routes = [(re.compile(route["pattern"]), links(route)) for route in spec.get("routes", [])]
    signed_in = spec.get("signed_in") or {}
    return links(spec.get("entry") or {}), routes, signed_in.get("cookie"), links(signed_in)


def early_links(dist: Path, route: str) -> list[str]:
    """The `Link` values for `index.html` served at `route` (a path starting with "/")."""
    path = dist / "preloads.json"
    try:
        entry, routes, cookie, signed_in = _preloads(path, path.stat().st_mtime_ns)
    except (OSError, ValueError, KeyError, re.error):
        return []  # an older build without the file: no hints, nothing else changes
    # Order is priority on a thin link: the entry, then what the page asks first (the session), then the route.
    links = list(entry)
    if cookie and request.cookies.get(cookie):
        links += signed_in
    for pattern, route_links in routes:
        if pattern.fullmatch(route):
            links += route_links
            break
    return links


def blueprint(dist: Path | None = None) -> Blueprint:
    dist = dist or DIST
    bp = Blueprint("frontend", __name__)
    bp.record_once(lambda state: state.app.url_map.converters.setdefault("app", AppPathConverter))

    @bp.get("/", defaults={"path": ""})
    @bp.get("/<app:path>")
    def serve(path: str):
        if not (dist / "index.html").exists():
            abort(404)
        if path and not path.startswith("api/") and (dist / path).is_file():
            hashed = path.startswith("assets/")
            return _send(dist, path, IMMUTABLE if hashed else "no-cache")
        if not is_app_route(path):
            abort(404)
        response = _send(dist, "index.html", "no-cache")
        links = early_links(dist, "/" + path)
        if links:
            response.headers["Link"] = ", ".join(links)
        response.vary.add("Cookie")  # the signed-in hint depends on it
        return response

    return bp
