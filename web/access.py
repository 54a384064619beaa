"""Declarative, deny-by-default access control for every endpoint.

Each view declares who may call it with `@access(...)`. A `before_request` hook enforces the
declaration before the view runs; an API view without one is refused outright.

Every signed-in request is checked against PostgreSQL (the account is active, the token was not revoked
at logout, and the sign-in it belongs to, its refresh-token family, was not revoked: by a logout, a
reuse of a rotated refresh token, a password change or reset, "sign out everywhere", or deactivation).
A one-statement view marked `@checked_in_statement` (booking, the slots) does that check inside its own
statement (`account_guard()`), saving the round trip: its caller's role is then the one
the signed token names, and the statement reads and writes nothing unless the account still has it.
Should such a view answer an error without having run its statement, the account is checked before the
answer leaves.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask_jwt_extended import get_jwt, verify_jwt_in_request
from sqlalchemy.exc import DBAPIError

from clinic.db import Guard, first_row
from clinic.errors import Forbidden, NotFound, Unauthorized
from clinic.identity.actor import ANONYMOUS, Actor
from web import database, errors

PUBLIC = "public"
ANYONE = "anyone"  # public, but a caller who sends credentials is authenticated (and answered as themself)
SIGNED_IN = "signed_in"
REFRESH = "refresh"
ROLES = ("patient", "doctor", "receptionist", "admin")
STAFF = ("receptionist", "admin")

# The account behind a token: the user is still active, this token was not revoked at logout, and its
# sign-in (refresh-token family; `fam`, NULL for a refresh token, whose own row the rotation checks) lives.
_ACCOUNT = """FROM users u WHERE u.id = %(auth_uid)s AND u.is_active
      AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = %(auth_jti)s)
      AND NOT EXISTS (SELECT 1 FROM refresh_tokens f WHERE f.family_id = %(auth_fam)s AND f.revoked_at IS NOT NULL)"""
_CHECK_TOKEN = f"SELECT u.role {_ACCOUNT}"  # one round trip of its own
# The same check as a guard of a view's statement (clinic.db.Guard), with the role the token names.
_ACCOUNT_HOLDS = f"EXISTS (SELECT 1 {_ACCOUNT} AND u.role = %(auth_role)s)"
_PENDING, _IN_STATEMENT = "pending", "in_statement"


def access(*who: str) -> Callable:
    """Declare who may call a view: PUBLIC, ANYONE, SIGNED_IN, REFRESH, or role names."""
    unknown = set(who) - {PUBLIC, ANYONE, SIGNED_IN, REFRESH, *ROLES}
    if not who or unknown:
        raise ValueError(f"bad access declaration: {who}")

    def mark(view: Callable) -> Callable:
        view.access = frozenset(who)
        return view
    return mark


def checked_in_statement(view: Callable) -> Callable:
    """Declare that a one-statement or read-only view (`@database.unit_of_work(one_statement=True)`,
    `(reads_only=True)`) passes `account_guard()` to its statement."""
    view.account_checked_in_statement = True
    return view


def account_guard() -> Guard | None:
    """The caller's account check, for the statement of a view marked `@checked_in_statement` (None for an
    anonymous caller of an ANYONE view: there is no account to check)."""
    actor = current_actor()
    if actor.is_anonymous:
        return None
    g.account_check = _IN_STATEMENT
    return Guard(_ACCOUNT_HOLDS, {**_token_params(actor.user_id), "auth_role": actor.role}, _revoked())


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:
        raise Unauthorized()
    return actor


def _revoked() -> Unauthorized:
    return Unauthorized("The token has been revoked or the account is disabled.", code="invalid_token")


def _sends_credentials() -> bool:
    """Whether the request carries an access token (a Bearer header or the session cookie): then it is judged
    as that account's, and a bad or expired token is a 401 (the browser refreshes and retries)."""
    return bool(request.headers.get("Authorization")) or "access_token_cookie" in request.cookies


def _authenticate(refresh: bool, *, in_statement: bool = False) -> Actor:
    verify_jwt_in_request(refresh=refresh)
    claims = get_jwt()
    uid = int(claims["sub"])
    if in_statement and claims.get("role") in ROLES:
        g.account_check = _PENDING
        return Actor(user_id=uid, role=claims["role"])
    return Actor(user_id=uid, role=_account_role(uid))


def _token_params(uid: int) -> dict:
    claims = get_jwt()
    return {"auth_uid": uid, "auth_jti": claims["jti"], "auth_fam": claims.get("fam")}


def _account_role(uid: int) -> str:
    row = first_row(database.session(), _CHECK_TOKEN, _token_params(uid))
    if row is None:
        raise _revoked()
    return row[0]


def _settle(response: Response) -> Response:
    """A view that checks the account in its statement may have answered without running it (a 422, a
    409 before the write): check the account now, so that a revoked token still only ever gets a 401."""
    state = g.pop("account_check", None)
    if state is None or response.status_code == 401 or (state == _IN_STATEMENT and response.status_code < 400):
        return response
    try:
        if _account_role(g.actor.user_id) == g.actor.role:
            return response
        err = _revoked()
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
        declared: frozenset[str] | None = getattr(view, "access", None)
        if declared is None:
            raise NotFound()
        if PUBLIC in declared:
            return
        if ANYONE in declared and not _sends_credentials():
            g.actor = ANONYMOUS
            return
        g.actor = _authenticate(REFRESH in declared, in_statement=getattr(view, "account_checked_in_statement", False))
        if declared & {SIGNED_IN, REFRESH, ANYONE} or g.actor.role in declared:
            return
        raise Forbidden("Your role may not do this.", code="forbidden")

    app.after_request(_settle)
