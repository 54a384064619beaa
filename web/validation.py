"""Turns request-validation failures into the contract's error shape."""
from __future__ import annotations

from flask import request

from clinic.errors import BadRequest, Invalid


def raise_validation_error(req, resp, req_validation_error, instance, model_adapter) -> None:
    """SpecTree `before` hook: raise our own 422 instead of SpecTree's default body."""
    if req_validation_error is None:
        return
    fields: dict[str, str] = {}
    for err in model_adapter.validation_errors(req_validation_error):
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query")]
        name = ".".join(loc) or "body"
        message = err.get("msg", "is invalid")
        if err.get("type") == "extra_forbidden":
            message = "is not an accepted field"
        elif err.get("type") == "missing":
            message = "is required"
        fields.setdefault(name, message)
    raise Invalid("Some fields are invalid.", fields=fields)


def reject_malformed_json() -> None:
    """A body that claims to be JSON must parse; Spectree alone would read it as empty."""
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype == "application/json" and request.content_length:
        if request.get_json(silent=True) is None:
            raise BadRequest("The request body is not valid JSON.", code="malformed_json")
