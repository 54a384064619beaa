"""Request bodies and validation failures, turned into the contract's error shape."""
from __future__ import annotations

from flask import request
from pydantic import BaseModel, RootModel

from clinic.errors import BadRequest, Invalid

BODY_METHODS = ("POST", "PUT", "PATCH")


def raise_validation_error(req, resp, req_validation_error, instance, model_adapter) -> None:
    """SpecTree `before` hook: raise our own 422 instead of SpecTree's default body."""
    if req_validation_error is None:
        return
    fields: dict[str, str] = {}
    for err in model_adapter.validation_errors(req_validation_error):
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query")]
        name = ".".join(loc) or "body"
        message = err.get("msg", "is invalid").removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            message = "is not an accepted field"
        elif err.get("type") == "missing" or not loc and err.get("input", ...) is None:
            message = "is required"
        fields.setdefault(name, message)
    raise Invalid("Some fields are invalid.", fields=fields)


def check_json_body() -> None:
    """Bodies are JSON or nothing. SpecTree alone would read anything else as `{}`."""
    if request.method not in BODY_METHODS:
        return
    if has_body() and not request.is_json:
        raise BadRequest("Send the body as application/json.", code="json_required",
                         fields={"body": "must be JSON (Content-Type: application/json)"})
    if has_body() and request.get_json(silent=True) is None:
        raise BadRequest("The request body is not valid JSON.", code="malformed_json",
                         fields={"body": "is not valid JSON"})


def has_body() -> bool:
    return bool(request.content_length) or bool(request.headers.get("Transfer-Encoding"))


def body_is_optional(model: type[BaseModel], method: str) -> bool:
    """Only a POST action whose fields are all optional (a cancellation without a reason, a sign-out) may come
    without a body, read as `{}`. A change (PATCH, PUT) must say what it changes; anything else needs its fields."""
    return method == "POST" and not issubclass(model, RootModel) and not any(
        field.is_required() for field in model.model_fields.values())


def json_payload(model: type[BaseModel]):
    """The body to validate against `model`: exactly what was sent (`[]` and `{}` are not "nothing"); no body
    at all is `{}` where the body is optional, else None, which the model refuses ("body: is required")."""
    if has_body():
        return request.get_json(silent=True)
    return {} if body_is_optional(model, request.method) else None
