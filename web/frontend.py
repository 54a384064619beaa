"""Serves the built frontend (`frontend/dist`) at `/`, with the SPA's client-side routes."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

from web.routing import AppPathConverter

DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"


def blueprint(dist: Path = DIST) -> Blueprint:
    bp = Blueprint("frontend", __name__)
    bp.record_once(lambda state: state.app.url_map.converters.setdefault("app", AppPathConverter))

    @bp.get("/", defaults={"path": ""})
    @bp.get("/<app:path>")
    def serve(path: str):
        if path.startswith("api/") or not (dist / "index.html").exists():
            abort(404)
        candidate = dist / path
        if path and candidate.is_file():
            response = send_from_directory(dist, path, max_age=31536000 if path.startswith("assets/") else 0)
            return response
        response = send_from_directory(dist, "index.html", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    return bp
