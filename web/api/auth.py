"""Sign-up, sign-in, token refresh with rotation, sign-out."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, jsonify, request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import PyJWTError
from flask_jwt_extended import (create_access_token, create_refresh_token, decode_token, get_jwt,
                                set_access_cookies, set_refresh_cookies, unset_jwt_cookies)
from spectree import Response

from clinic.clock import utcnow
from clinic.identity import service as accounts
from clinic.identity import tokens
from clinic.identity.models import User
from web import database
from web.access import PUBLIC, REFRESH, SIGNED_IN, access, current_actor
from web.extensions import limiter, spec
from web.schemas.common import ErrorOut
from web.schemas.identity import LoginIn, LogoutIn, RegisterIn, SessionOut, TokensOut, UserOut

bp = Blueprint("auth", __name__, url_prefix="/api/auth")
TAGS = ["auth"]


def _auth_limit() -> str:
    return current_app.config["SETTINGS"].ratelimit_auth


def _account_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return "account:" + (email.strip().lower() if isinstance(email, str) else request.remote_addr or "")


def _issue(grant: tokens.RefreshGrant, status: int, with_user: bool):
    """Mint the access/refresh pair for a grant; also set them as httpOnly cookies for the browser."""
    now = utcnow()
    user = grant.user
    access_token = create_access_token(identity=str(user.id), additional_claims={"role": user.role,
                                                                                 "fam": str(grant.family_id)})
    refresh_token = create_refresh_token(identity=str(user.id), expires_delta=grant.expires_at - now,
                                         additional_claims={"jti": str(grant.jti)})
    body = {"access_token": access_token, "refresh_token": refresh_token}
    if with_user:
        body["user"] = UserOut.model_validate(user).model_dump()
    response = jsonify(body)
    response.status_code = status
    # Each cookie lives as long as its token (flask-jwt-extended's default Max-Age is a year).
    set_access_cookies(response, access_token,
                       max_age=int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()))
    set_refresh_cookies(response, refresh_token, max_age=int((grant.expires_at - now).total_seconds()))
    return response


def _start_session(user: User, status: int):
    settings = current_app.config["SETTINGS"]
    grant = tokens.start_family(database.session(), user=user, now=utcnow(),
                                lifetime=timedelta(days=settings.refresh_token_days),
                                absolute=timedelta(days=settings.refresh_absolute_days))
    return _issue(grant, status, with_user=True)


@bp.post("/register")
@access(PUBLIC)
@limiter.limit(_auth_limit)
@spec.validate(json=RegisterIn, resp=Response(HTTP_201=SessionOut, HTTP_409=ErrorOut), tags=TAGS)
def register():
    """Create a patient account and sign it in."""
    body: RegisterIn = request.context.json
    user = accounts.register_patient(database.session(), email=str(body.email), password=body.password,
                                     full_name=body.full_name, phone=body.phone, locale=body.locale)
    return _start_session(user, 201)


@bp.post("/login")
@access(PUBLIC)
@limiter.limit(_auth_limit)
@limiter.limit(_auth_limit, key_func=_account_key)
@spec.validate(json=LoginIn, resp=Response(HTTP_200=SessionOut, HTTP_401=ErrorOut), tags=TAGS)
def login():
    """Exchange email and password for an access and a refresh token."""
    body: LoginIn = request.context.json
    user = accounts.authenticate(database.session(), email=body.email, password=body.password)
    return _start_session(user, 200)


@bp.post("/refresh")
@access(REFRESH)
@limiter.limit(_auth_limit)
@spec.validate(resp=Response(HTTP_200=TokensOut, HTTP_401=ErrorOut), tags=TAGS, security={"bearer": []})
def refresh():
    """Rotate the refresh token: the presented one dies, a reuse of it kills the whole family."""
    settings = current_app.config["SETTINGS"]
    grant = tokens.rotate(database.session(), jti=uuid.UUID(get_jwt()["jti"]), now=utcnow(),
                          lifetime=timedelta(days=settings.refresh_token_days))
    return _issue(grant, 200, with_user=False)


@bp.post("/logout")
@access(SIGNED_IN)
@spec.validate(json=LogoutIn, resp=Response("HTTP_204"), tags=TAGS, security={"bearer": []})
def logout():
    """Revoke the access token and its sign-in's refresh tokens."""
    claims = get_jwt()
    db, now, actor = database.session(), utcnow(), current_actor()
    tokens.revoke_access(db, jti=uuid.UUID(claims["jti"]),
                         expires_at=datetime.fromtimestamp(claims["exp"], tz=timezone.utc))
    if claims.get("fam"):
        tokens.revoke_family(db, family_id=uuid.UUID(claims["fam"]), now=now)
    body = request.context.json
    presented = (body.refresh_token if body else None) or request.cookies.get(
        current_app.config["JWT_REFRESH_COOKIE_NAME"])
    if presented:
        _revoke_presented_refresh(presented, actor.user_id)
    response = current_app.response_class(status=204)
    unset_jwt_cookies(response)
    return response


def _revoke_presented_refresh(token: str, user_id: int) -> None:
    try:
        claims = decode_token(token, allow_expired=True)
    except (JWTExtendedException, PyJWTError, ValueError):  # an unreadable token has nothing to revoke
        return
    if claims.get("type") == "refresh":
        tokens.revoke_family_of(database.session(), jti=uuid.UUID(claims["jti"]), user_id=user_id, now=utcnow())
