"""HTTP endpoints for appointments."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("appointments", __name__, url_prefix="/api")
