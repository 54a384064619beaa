"""Serves the built frontend (`frontend/dist`) at `/`, with the SPA's client-side routes."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from flask import Blueprint, abort, send_from_directory

from web.routing import AppPathConverter

DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
# A path ending in one of these names a file, never a client-side route of the app.
FILE_SUFFIXES = frozenset({".js", ".mjs", ".css", ".map", ".json", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico",
                           ".webp", ".avif", ".woff", ".woff2", ".ttf", ".otf", ".txt", ".xml", ".webmanifest",
                           ".html", ".ics", ".pdf", ".zip", ".wasm"})


def is_app_route(path: str) -> bool:
    """Whether a path that is not a file of the build may fall back to the app's `index.html`: not the API
    (unknown API paths are JSON 404s), not the build's assets, not anything named like a file (a missing
    file is a 404, never a page of HTML with 200)."""
    first = path.split("/", 1)[0]
    if first in ("api", "assets"):
        return False
    return PurePosixPath(path).suffix.lower() not in FILE_SUFFIXES


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
            return send_from_directory(dist, path, max_age=31536000 if path.startswith("assets/") else 0)
        if not is_app_route(path):
            abort(404)
        response = send_from_directory(dist, "index.html", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    return bp
