"""Request bodies and validation failures, turned into the contract's error shape."""

from __future__ import annotations

from flask import current_app, request
from pydantic import BaseModel, RootModel
from werkzeug.exceptions import MethodNotAllowed

from clinic.errors import BadRequest, Invalid

BODY_METHODS = ("POST", "PUT", "PATCH")
# No request body of this API is nested more than a few levels; the cap keeps a hostile body's depth far
# from the parser's and the validators' recursion limits (5,000 levels raised RecursionError: a 500).
MAX_JSON_DEPTH = 32


def raise_validation_error(req, resp, req_validation_error, instance, model_adapter) -> None:
    """SpecTree `before` hook: raise our own 422 instead of SpecTree's default body."""
    if req_validation_error is None:
        return
    fields: dict[str, str] = {}
    codes: dict[str, str] = {}
    # pydantic's own list, with each error's context (SpecTree's adapter drops it): a length's limit, the
    # field a check across fields blames.
    for err in req_validation_error.errors(include_url=False):
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query")]
        # A check across fields (schemas.common.field_error) names the field it blames in its context.
        name = ".".join(loc) or (err.get("ctx") or {}).get("field") or "body"
        message = err.get("msg", "is invalid").removeprefix("Value error, ")
        code = field_code(err)
        if err.get("type") == "extra_forbidden":
            message = "is not an accepted field"
        elif err.get("type") == "missing" or not loc and err.get("input", ...) is None:
            message, code = "is required", "required"
        fields.setdefault(name, message)
        codes.setdefault(name, code)
    raise Invalid("Some fields are invalid.", fields=fields, field_codes=codes)


_TYPE_CODES = {
    "missing": "required",
    "extra_forbidden": "not_accepted",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "too_short": "too_short",
    "control_characters": "control_characters",
    "invalid_phone": "invalid_phone",
    "before_start": "before_start",
    "string_pattern_mismatch": "invalid",
    "literal_error": "not_allowed_value",
    "enum": "not_allowed_value",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "string_type": "invalid_type",
    "bool_type": "invalid_type",
    "bool_parsing": "invalid_type",
    "list_type": "invalid_type",
    "dict_type": "invalid_type",
    "model_type": "invalid_type",
}


def field_code(err: dict) -> str:
    """The stable code of one pydantic error (what a client translates); `fields` keeps pydantic's text."""
    kind = err.get("type", "")
    if kind == "string_too_short":
        return "required" if (err.get("ctx") or {}).get("min_length", 0) <= 1 else "too_short"
    if kind == "value_error" and "email" in str(err.get("msg", "")).lower():
        return "invalid_email"
    if kind.startswith(("int_", "float_", "decimal_")) or kind in ("finite_number", "multiple_of"):
        return "invalid_number"
    if kind.startswith(("date", "time", "timezone_")):
        return "invalid_date"
    return _TYPE_CODES.get(kind, "invalid")


def form_body(view):
    """Declare a view that reads a form-encoded body (a provider's webhook) instead of JSON."""
    view.form_body = True
    return view


def check_json_body() -> None:
    """Bodies are JSON or nothing (but for the views marked `form_body`). SpecTree alone would read
    anything else as `{}`."""
    if request.method not in BODY_METHODS or isinstance(request.routing_exception, MethodNotAllowed):
        return  # (a method the path does not take answers 405, whatever its body)
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "form_body", False):
        return
    if has_body() and not request.is_json:
        raise BadRequest(
            "Send the body as application/json.",
            code="json_required",
            fields={"body": "must be JSON (Content-Type: application/json)"},
            field_codes={"body": "json_required"},
        )
    if has_body():
        _check_parsed(request)


def has_body() -> bool:
    return bool(request.content_length) or bool(request.headers.get("Transfer-Encoding"))


def body_is_optional(model: type[BaseModel], method: str) -> bool:
    """Only a POST action whose fields are all optional (a cancellation without a reason, a sign-out) may come
    without a body, read as `{}`. A change (PATCH, PUT) must say what it changes; anything else needs its fields."""
    return (
        method == "POST"
        and not issubclass(model, RootModel)
        and not any(field.is_required() for field in model.model_fields.values())
    )


def json_payload(model: type[BaseModel]):
    """The body to validate against `model`: exactly what was sent (`[]` and `{}` are not "nothing"); no body
    at all is `{}` where the body is optional, else None, which the model refuses ("body: is required")."""
    if has_body():
        return request.get_json(silent=True)
    return {} if body_is_optional(model, request.method) else None


def _check_parsed(req) -> None:
    """Parse the JSON body once (Flask caches it for the view) and refuse it if malformed or too deep."""
    try:
        body = req.get_json(silent=True)
    except RecursionError:  # deeper than the parser itself can go
        body, too_deep = None, True
    else:
        too_deep = body is not None and nested_deeper_than(body, MAX_JSON_DEPTH)
    if too_deep:
        raise BadRequest(
            "The request body is nested too deeply.",
            code="json_too_deep",
            fields={"body": f"is nested more than {MAX_JSON_DEPTH} levels deep"},
            field_codes={"body": "too_deep"},
        )
    if body is None:
        raise BadRequest(
            "The request body is not valid JSON.",
            code="malformed_json",
            fields={"body": "is not valid JSON"},
            field_codes={"body": "malformed_json"},
        )


def nested_deeper_than(value, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (`[]` and `{}` are one level), checked
    level by level without recursion; a flat body costs one pass over its values."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(limit):
        level = [
            child
            for container in level
            for child in (container.values() if isinstance(container, dict) else container)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return False
    return True
