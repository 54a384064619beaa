"""Request bodies and validation failures, turned into the contract's error shape."""
from __future__ import annotations

from functools import cache

from flask import current_app, request

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


def check_json_body() -> None:
    """Bodies are JSON or nothing. SpecTree alone would read anything else (and an empty body) as `{}`."""
    if request.method not in BODY_METHODS:
        return
    has_body = bool(request.content_length) or bool(request.headers.get("Transfer-Encoding"))
    if has_body and not request.is_json:
        raise BadRequest("Send the body as application/json.", code="json_required",
                         fields={"body": "must be JSON (Content-Type: application/json)"})
    if has_body:
        _check_parsed(request)
    if not has_body and _expects_array(request.endpoint):
        raise Invalid("The request needs a JSON array body.", fields={"body": "is required"})


@cache
def _expects_array(endpoint: str | None) -> bool:
    from web.extensions import spec

    view = current_app.view_functions.get(endpoint) if endpoint else None
    metadata = spec.get_function_metadata(view) if view else None
    key = getattr(metadata, "json", None)
    return bool(key) and spec.models.get(key, {}).get("type") == "array"


def _check_parsed(req) -> None:
    """Parse the JSON body once (Flask caches it for the view) and refuse it if malformed or too deep."""
    try:
        body = req.get_json(silent=True)
    except RecursionError:  # deeper than the parser itself can go
        body, too_deep = None, True
    else:
        too_deep = body is not None and nested_deeper_than(body, MAX_JSON_DEPTH)
    if too_deep:
        raise BadRequest("The request body is nested too deeply.", code="json_too_deep",
                         fields={"body": f"is nested more than {MAX_JSON_DEPTH} levels deep"})
    if body is None:
        raise BadRequest("The request body is not valid JSON.", code="malformed_json",
                         fields={"body": "is not valid JSON"})


def nested_deeper_than(value, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (`[]` and `{}` are one level), checked
    level by level without recursion; a flat body costs one pass over its values."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(limit):
        level = [child for container in level
                 for child in (container.values() if isinstance(container, dict) else container)
                 if isinstance(child, (dict, list))]
        if not level:
            return False
    return True
