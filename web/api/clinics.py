"""HTTP endpoints for clinics."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("clinics", __name__, url_prefix="/api")
