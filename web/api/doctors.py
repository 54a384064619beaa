"""HTTP endpoints for doctors."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("doctors", __name__, url_prefix="/api")
