"""Declarative, deny-by-default access control for every endpoint.

Each view declares who may call it with `@access(...)`. A `before_request` hook enforces the
declaration before the view runs; an API view without one is refused outright.

Every signed-in request is checked against PostgreSQL (the account is active, the token was not revoked
at logout, and the sign-in it belongs to, its refresh-token family, was not revoked: by a logout, a
reuse of a rotated refresh token, a password change or reset, "sign out everywhere", or deactivation).
A view whose one statement checks the account itself (booking, the slots) says so in its declaration
(`@access(..., checked_in_statement=True)`): its caller's `Actor` then carries the token's id, sign-in
and role, marked `check_in_statement`, and the store of that statement turns it into SQL
(clinic.identity.store), saving the round trip: the statement reads and writes nothing unless the
account still holds. Should such a view answer an error (it may not have run its statement), the
account is checked before the answer leaves, so that a revoked token only ever gets a 401.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask_jwt_extended import get_jwt, verify_jwt_in_request
from sqlalchemy.exc import DBAPIError

from clinic.errors import Forbidden, NotFound, Unauthorized
from clinic.identity.actor import ANONYMOUS, Actor
from clinic.identity.tokens import checked_actor, revoked
from web import database, errors

PUBLIC = "public"
ANYONE = "anyone"  # public, but a caller who sends credentials is authenticated (and answered as themself)
SIGNED_IN = "signed_in"
REFRESH = "refresh"
ROLES = ("patient", "doctor", "receptionist", "admin")
STAFF = ("receptionist", "admin")


class Declared(frozenset):
    """Who may call a view (a set of PUBLIC, ANYONE, SIGNED_IN, REFRESH and role names), and whether the
    view's one statement checks the caller's account (`checked_in_statement`)."""

    checked_in_statement: bool = False


def access(*who: str, checked_in_statement: bool = False) -> Callable:
    """Declare who may call a view: PUBLIC, ANYONE, SIGNED_IN, REFRESH, or role names.

    `checked_in_statement=True`: the view hands the caller's actor to one statement whose store checks
    the account in it (see the module docstring); only for views that run such a statement."""
    unknown = set(who) - {PUBLIC, ANYONE, SIGNED_IN, REFRESH, *ROLES}
    if not who or unknown:
        raise ValueError(f"bad access declaration: {who}")
    declared = Declared(who)
    declared.checked_in_statement = checked_in_statement

    def mark(view: Callable) -> Callable:
        view.access = declared
        return view

    return mark


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:
        raise Unauthorized()
    return actor


def _sends_credentials() -> bool:
    """Whether the request carries an access token (a Bearer header or the session cookie): then it is judged
    as that account's, and a bad or expired token is a 401 (the browser refreshes and retries)."""
    return bool(request.headers.get("Authorization")) or "access_token_cookie" in request.cookies


def _authenticate(refresh: bool, *, in_statement: bool = False) -> Actor:
    verify_jwt_in_request(refresh=refresh)
    claims = get_jwt()
    token = Actor(
        user_id=int(claims["sub"]), role=claims.get("role"), token_id=claims["jti"], family_id=claims.get("fam")
    )
    if in_statement and token.role in ROLES:
        g.account_in_statement = True
        return Actor(
            user_id=token.user_id,
            role=token.role,
            token_id=token.token_id,
            family_id=token.family_id,
            check_in_statement=True,
        )
    return checked_actor(database.session(), token)


def _settle(response: Response) -> Response:
    """A view that checks the account in its statement may have answered an error without running it (a 422,
    a 409 before the write): check the account now, so that a revoked token still only ever gets a 401. A
    success ran the statement, which wrote or read nothing unless the account held."""
    if not g.pop("account_in_statement", False) or response.status_code == 401 or response.status_code < 400:
        return response
    actor = g.actor
    try:
        if checked_actor(database.session(), actor).role == actor.role:
            return response
        err = revoked()
    except Unauthorized as refused:
        err = refused
    except DBAPIError:
        return errors.unavailable()
    return errors.error_body(err.status, err.code, err.message)


def init_app(app: Flask) -> None:
    @app.before_request
    def enforce() -> None:
        if request.endpoint is None or request.method == "OPTIONS":
            return  # unknown route: the 404 handler answers; CORS preflights carry no credentials
        if not request.path.startswith("/api/") or request.endpoint.startswith("openapi_"):
            return  # the built frontend and the API's own documentation are public
        view = current_app.view_functions.get(request.endpoint)
        declared: Declared | None = getattr(view, "access", None)
        if declared is None:
            raise NotFound()
        if PUBLIC in declared:
            return
        if ANYONE in declared and not _sends_credentials():
            g.actor = ANONYMOUS
            return
        g.actor = _authenticate(REFRESH in declared, in_statement=declared.checked_in_statement)
        if declared & {SIGNED_IN, REFRESH, ANYONE} or g.actor.role in declared:
            return
        raise Forbidden("Your role may not do this.", code="forbidden")

    app.after_request(_settle)
