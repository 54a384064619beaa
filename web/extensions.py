"""Extensions created unbound and attached in `create_app`."""

from __future__ import annotations

from flask_cors import CORS
from flask_limiter import Limiter

from web.ratelimit_keys import client_key
from web.schemas.common import ErrorOut
from web.spectree_adapter import FlaskRequests, LazySpecTree
from web.validation import raise_validation_error
from web.verified_tokens import CachingJWTManager


jwt = CachingJWTManager()
cors = CORS()
limiter = Limiter(key_func=client_key)
spec = LazySpecTree(
    "flask",
    backend=FlaskRequests,
    title="Clinic appointments API",
    version="1.0.0",
    path="api/docs",
    # No documentation pages: SpecTree's load Swagger UI / Redoc from a CDN without integrity hashes. The
    # document is at /api/openapi.json (and /api/docs/openapi.json); open it with any OpenAPI viewer.
    page_templates={},
    mode="strict",
    annotations=False,
    before=raise_validation_error,
    validation_error_status=422,
    validation_error_model=ErrorOut,
)
