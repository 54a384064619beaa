"""Liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from spectree import Response

from clinic.db import ping
from web import database
from web.access import PUBLIC, access
from web.extensions import spec
from web.schemas.common import Status

bp = Blueprint("health", __name__, url_prefix="/api")
TAGS = ["ops"]


@bp.get("/health")
@access(PUBLIC)
@spec.validate(resp=Response(HTTP_200=Status), tags=TAGS)
def health():
    """Cheap liveness check: no I/O."""
    return jsonify(status="ok")


@bp.get("/ready")
@access(PUBLIC)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=Status, HTTP_503=Status), tags=TAGS)
def ready():
    """Ready when PostgreSQL and Redis both answer."""
    checks = {"postgres": _postgres_ok(), "redis": _redis_ok()}
    ok = all(checks.values())
    return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503


def _postgres_ok() -> bool:
    try:
        ping(database.session())
        return True
    except Exception:  # readiness reports any failure as "not ready"
        database.session().rollback()
        return False


def _redis_ok() -> bool:
    try:
        return bool(current_app.extensions["redis"].ping())
    except Exception:  # readiness reports any failure as "not ready"
        return False
