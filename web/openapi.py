"""The OpenAPI document says exactly what the server does.

SpecTree describes each view's own models and answers. What every view may also answer comes from the
machinery around it, and is added here from the same declarations that machinery reads: the access
declaration (`web.access`: who may call, hence the security requirement, 401 and 403), the path parameters
(404), the request body and query models (`web.validation`: 400, 413, 422) and the global rate limit (429);
every view but the liveness check touches PostgreSQL (503). Every error body is the contract's
`{"error": {code, message, fields}}`.
"""

from __future__ import annotations

from collections.abc import Callable

from web.access import ANYONE, PUBLIC, REFRESH, SIGNED_IN
from web.validation import BODY_METHODS, body_is_optional

NO_IO = {("get", "/api/health")}  # answers without touching PostgreSQL
OWN_ERROR_BODIES = {("get", "/api/ready", 503)}  # the readiness report, not an error
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 0}}
}
ERRORS = {
    400: "The body is not JSON, is not valid JSON, or is nested too deeply.",
    401: "No valid credentials: the access token (or session cookie) is missing, expired or revoked, the account "
    "is disabled, or the CSRF check of a cookie session failed.",
    403: "The caller's role may not do this.",
    404: "No such resource, or none the caller may see. Ids outside 1..2^63-1 name no resource.",
    413: "The body is larger than 1 MiB.",
    422: "A field is missing or invalid; `fields` says which and why.",
    429: "Too many requests; `Retry-After` says when to try again.",
    503: "PostgreSQL is unavailable; `Retry-After` says when to try again.",
}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from /api/auth/login or /api/auth/register (a refresh token for "
        "/api/auth/refresh).",
    },
    "cookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "access_token_cookie",
        "description": "The browser's httpOnly session cookie; unsafe methods must also send the "
        "`X-CSRF-TOKEN` header with the value of the `csrf_access_token` cookie.",
    },
    "refresh_cookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "refresh_token_cookie",
        "description": "The browser's refresh cookie (path /api/auth/), with the `X-CSRF-TOKEN` "
        "header holding the `csrf_refresh_token` cookie.",
    },
}


def complete(document: dict, operations: list[tuple[str, str, Callable, type | None]], error_ref: str) -> dict:
    """Add to each (path, method, view, body model) of `document` what the machinery around its view may answer."""
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    document.pop("security", None)
    for path, method, view, body_model in operations:
        _operation(document["paths"][path][method], path, method, view, body_model, error_ref)
    return document


def _operation(
    operation: dict, path: str, method: str, view: Callable, body_model: type | None, error_ref: str
) -> None:
    declared = getattr(view, "access", frozenset())
    operation["security"] = _security(declared)
    body = operation.get("requestBody")
    if body:
        # A form body (a provider's webhook, `web.validation.form_body`) has no JSON model here: it is required.
        body["required"] = body_model is None or not body_is_optional(body_model, method.upper())
    query = any(p["in"] == "query" for p in operation.get("parameters", []))
    responses = operation["responses"]
    if not (body or query):
        responses.pop("422", None)  # SpecTree adds it to every view; only input can be invalid
    for status in sorted(_statuses(path, method, declared, bool(body or query))):
        responses.setdefault(str(status), {"description": ERRORS[status]})
    for status, response in responses.items():
        if int(status) >= 400 and (method, path, int(status)) not in OWN_ERROR_BODIES:
            _error_response(response, int(status), error_ref)


def _security(declared: frozenset[str]) -> list[dict]:
    if PUBLIC in declared:
        return []
    if REFRESH in declared:
        return [{"bearer": []}, {"refresh_cookie": []}]
    if ANYONE in declared:
        return [{}, {"bearer": []}, {"cookie": []}]  # no credentials needed; sent ones are checked
    return [{"bearer": []}, {"cookie": []}]


def _statuses(path: str, method: str, declared: frozenset[str], takes_input: bool) -> set[int]:
    """What the machinery around a view may answer, whatever the view does."""
    statuses = {429}
    if PUBLIC not in declared:
        statuses.add(401)
        if not declared & {SIGNED_IN, REFRESH, ANYONE}:
            statuses.add(403)
    if "{" in path:
        statuses.add(404)
    if method.upper() in BODY_METHODS:
        statuses |= {400, 413}  # whatever the view reads, a body sent must be JSON, and at most 1 MiB
    if takes_input:
        statuses.add(422)
    if (method, path) not in NO_IO:
        statuses.add(503)
    return statuses


def _error_response(response: dict, status: int, error_ref: str) -> None:
    response["description"] = ERRORS.get(status) or response.get("description", "")
    response["content"] = {"application/json": {"schema": {"$ref": error_ref}}}
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
