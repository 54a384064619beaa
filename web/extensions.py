"""Extensions created unbound and attached in `create_app`."""
from __future__ import annotations

from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from spectree import SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData

from web.validation import raise_validation_error
from web.verified_tokens import CachingJWTManager

jwt = CachingJWTManager()
cors = CORS()
limiter = Limiter(key_func=get_remote_address)
spec = SpecTree(
    "flask",
    title="Clinic appointments API",
    version="1.0.0",
    path="api/docs",  # Swagger/Redoc pages; the document itself is also served at /api/openapi.json
    mode="strict",
    annotations=False,
    before=raise_validation_error,
    validation_error_status=422,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer",
                                                                             bearer_format="JWT"))],
)
