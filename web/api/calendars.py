"""HTTP endpoints for calendars."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("calendars", __name__, url_prefix="/api")
