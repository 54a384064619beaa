"""Declarative, deny-by-default access control for every endpoint.

Each view declares who may call it with `@access(...)`. A `before_request` hook enforces the
declaration before the view runs; an API view without one is refused outright.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, request
from flask_jwt_extended import get_jwt, verify_jwt_in_request

from clinic.db import first_row
from clinic.errors import Forbidden, NotFound, Unauthorized
from clinic.identity.actor import Actor
from web import database

PUBLIC = "public"
SIGNED_IN = "signed_in"
REFRESH = "refresh"
ROLES = ("patient", "doctor", "receptionist", "admin")
STAFF = ("receptionist", "admin")

# One round trip: the user is still active and this token was not revoked at logout.
_CHECK_TOKEN = """
    SELECT u.role FROM users u
    WHERE u.id = %(uid)s AND u.is_active
      AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = %(jti)s)
"""


def access(*who: str) -> Callable:
    """Declare who may call a view: PUBLIC, SIGNED_IN, REFRESH, or role names."""
    unknown = set(who) - {PUBLIC, SIGNED_IN, REFRESH, *ROLES}
    if not who or unknown:
        raise ValueError(f"bad access declaration: {who}")

    def mark(view: Callable) -> Callable:
        view.access = frozenset(who)
        return view
    return mark


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:
        raise Unauthorized()
    return actor


def _declared(endpoint: str | None) -> frozenset[str] | None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access", None)


def _authenticate(refresh: bool) -> Actor:
    verify_jwt_in_request(refresh=refresh)
    claims = get_jwt()
    uid = int(claims["sub"])
    row = first_row(database.session(), _CHECK_TOKEN, {"uid": uid, "jti": claims["jti"]})
    if row is None:
        raise Unauthorized("The token has been revoked or the account is disabled.", code="invalid_token")
    return Actor(user_id=uid, role=row[0])


def init_app(app: Flask) -> None:
    @app.before_request
    def enforce() -> None:
        if request.endpoint is None or request.method == "OPTIONS":
            return  # unknown route: the 404 handler answers; CORS preflights carry no credentials
        if not request.path.startswith("/api/") or request.endpoint.startswith("openapi_"):
            return  # the built frontend and the API's own documentation are public
        declared = _declared(request.endpoint)
        if declared is None:
            raise NotFound()
        if PUBLIC in declared:
            return
        g.actor = _authenticate(refresh=REFRESH in declared)
        if declared & {SIGNED_IN, REFRESH} or g.actor.role in declared:
            return
        raise Forbidden("Your role may not do this.", code="forbidden")
