"""Sign-up, sign-in, token refresh with rotation, sign-out (here or everywhere), password resets."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, jsonify, request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import PyJWTError
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    decode_token,
    get_jwt,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)
from spectree import Response

from clinic.clock import utcnow
from clinic.identity import resets
from clinic.identity import service as accounts
from clinic.identity import signup, tokens
from clinic.identity.models import User
from clinic.settings import Settings
from web import database, login_throttle
from web.access import PUBLIC, REFRESH, SIGNED_IN, access, current_actor
from web.extensions import limiter, spec
from web.ratelimit_keys import account_key
from web.schemas.common import ErrorOut
from web.schemas.identity import (
    LoginIn,
    LogoutIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    RegisterIn,
    SessionOut,
    TokensOut,
    UserOut,
    VerifyEmailIn,
)

bp = Blueprint("auth", __name__, url_prefix="/api/auth")
TAGS = ["auth"]


def auth_limit() -> str:
    """The limit of every endpoint that handles credentials (RATELIMIT_AUTH)."""
    return current_app.config["SETTINGS"].ratelimit_auth


def _idle_limit(settings: Settings) -> timedelta | None:
    """How long a sign-in may go without refreshing before it ends. The browser signs out after
    REFRESH_IDLE_MINUTES without activity, but it only refreshes when its access token has expired, so an
    active user's last refresh may be up to one access-token lifetime older than their last request:
    the server allows that much more, and so never ends a session the browser still considers active."""
    if settings.refresh_idle_minutes <= 0:
        return None
    return timedelta(minutes=settings.refresh_idle_minutes + settings.access_token_minutes)


def _issue(grant: tokens.RefreshGrant, status: int, with_user: bool):
    """Mint the access/refresh pair for a grant; also set them as httpOnly cookies for the browser."""
    now = utcnow()
    user = grant.user
    access_token = create_access_token(
        identity=str(user.id), additional_claims={"role": user.role, "fam": str(grant.family_id)}
    )
    refresh_token = create_refresh_token(
        identity=str(user.id), expires_delta=grant.expires_at - now, additional_claims={"jti": str(grant.jti)}
    )
    body = {"access_token": access_token, "refresh_token": refresh_token}
    if with_user:
        body["user"] = UserOut.model_validate(user).model_dump(mode="json")  # datetimes as ISO 8601
    response = jsonify(body)
    response.status_code = status
    # Each cookie lives as long as its token (flask-jwt-extended's default Max-Age is a year).
    set_access_cookies(
        response, access_token, max_age=int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())
    )
    set_refresh_cookies(response, refresh_token, max_age=int((grant.expires_at - now).total_seconds()))
    return response


def _start_session(user: User, status: int):
    settings = current_app.config["SETTINGS"]
    grant = tokens.start_family(
        database.session(),
        user=user,
        now=utcnow(),
        lifetime=timedelta(days=settings.refresh_token_days),
        absolute=timedelta(days=settings.refresh_absolute_days),
    )
    response = _issue(grant, status, with_user=True)
    login_throttle.remember_device(response, user.email)
    return response


@bp.post("/register")
@access(PUBLIC)
@limiter.limit(auth_limit)
@limiter.limit(auth_limit, key_func=account_key)
@database.unit_of_work()
@spec.validate(json=RegisterIn, resp=Response(HTTP_201=SessionOut, HTTP_422=ErrorOut, HTTP_429=ErrorOut), tags=TAGS)
def register():
    """Create a patient account and sign it in; a link to confirm the address is emailed to it.

    The answer is the same whether or not the address already has an account (nothing tells them
    apart): with a taken address the new account is a separate one that cannot sign in by that address
    nor reach the existing account, and the address's owner is emailed that someone tried (see README,
    security notes)."""
    body: RegisterIn = request.context.json
    user = signup.register(
        database.session(),
        email=str(body.email),
        password=body.password,
        full_name=body.full_name,
        phone=body.phone,
        locale=body.locale,
        now=utcnow(),
    )
    return _start_session(user, 201)


@bp.post("/login")
@access(PUBLIC)
@limiter.limit(auth_limit)
@limiter.limit(auth_limit, key_func=login_throttle.account_key, deduct_when=login_throttle.failed)
@database.unit_of_work()
@spec.validate(json=LoginIn, resp=Response(HTTP_200=SessionOut, HTTP_401=ErrorOut, HTTP_429=ErrorOut), tags=TAGS)
def login():
    """Exchange email and password for an access and a refresh token.

    Attempts are limited per address, and failed ones per account; failures on an account from its
    owner's own browser (device cookie) count apart from everyone else's (web/login_throttle.py)."""
    body: LoginIn = request.context.json
    user = accounts.authenticate(database.session(), email=body.email, password=body.password)
    return _start_session(user, 200)


@bp.post("/refresh")
@access(REFRESH)
@limiter.limit(auth_limit)
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=TokensOut, HTTP_401=ErrorOut), tags=TAGS, security={"bearer": []})
def refresh():
    """Rotate the refresh token: the presented one dies, a reuse of it kills the whole family."""
    settings = current_app.config["SETTINGS"]
    grant = tokens.rotate(
        database.session(),
        jti=uuid.UUID(get_jwt()["jti"]),
        now=utcnow(),
        lifetime=timedelta(days=settings.refresh_token_days),
        idle=_idle_limit(settings),
    )
    return _issue(grant, 200, with_user=False)


@bp.post("/logout")
@access(SIGNED_IN)
@database.unit_of_work()
@spec.validate(json=LogoutIn, resp=Response("HTTP_204"), tags=TAGS, security={"bearer": []})
def logout():
    """Revoke the access token and its sign-in's refresh tokens."""
    claims = get_jwt()
    db, now, actor = database.session(), utcnow(), current_actor()
    tokens.revoke_access(
        db, jti=uuid.UUID(claims["jti"]), expires_at=datetime.fromtimestamp(claims["exp"], tz=timezone.utc)
    )
    if claims.get("fam"):
        tokens.revoke_family(db, family_id=uuid.UUID(claims["fam"]), now=now)
    body = request.context.json
    presented = (body.refresh_token if body else None) or request.cookies.get(
        current_app.config["JWT_REFRESH_COOKIE_NAME"]
    )
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


@bp.post("/logout-all")
@access(SIGNED_IN)
@database.unit_of_work()
@spec.validate(resp=Response("HTTP_204", HTTP_401=ErrorOut), tags=TAGS, security={"bearer": []})
def logout_all():
    """Sign out everywhere: every refresh and access token of the account stops working, this one too."""
    tokens.revoke_all(database.session(), user_id=current_actor().user_id, now=utcnow())
    response = current_app.response_class(status=204)
    unset_jwt_cookies(response)
    return response


@bp.post("/password-reset")
@access(PUBLIC)
@limiter.limit(auth_limit)
@database.unit_of_work()
@spec.validate(json=PasswordResetIn, resp=Response("HTTP_202", HTTP_422=ErrorOut, HTTP_429=ErrorOut), tags=TAGS)
def request_password_reset():
    """Email a password-reset link (valid one hour, single use) if the address has an active account.

    The answer is 202 whether or not it has one, after the same work. Not behind the sign-in throttle:
    the owner of an account under a password-guessing attack can always get in this way."""
    body: PasswordResetIn = request.context.json
    resets.request_reset(
        database.session(), email=str(body.email), now=utcnow(), secret=current_app.config["JWT_SECRET_KEY"]
    )
    return current_app.response_class(status=202)


@bp.post("/password-reset/confirm")
@access(PUBLIC)
@limiter.limit(auth_limit)
@database.unit_of_work()
@spec.validate(
    json=PasswordResetConfirmIn,
    resp=Response("HTTP_204", HTTP_400=ErrorOut, HTTP_422=ErrorOut, HTTP_429=ErrorOut),
    tags=TAGS,
)
def confirm_password_reset():
    """Set a new password with a reset link's token: every session of the account ends (refresh and access
    tokens), the account's other reset links die, and this browser counts as the owner's device."""
    body: PasswordResetConfirmIn = request.context.json
    user = resets.confirm_reset(database.session(), token=body.token, password=body.password, now=utcnow())
    response = current_app.response_class(status=204)
    unset_jwt_cookies(response)
    login_throttle.remember_device(response, user.email)
    return response


@bp.post("/verify-email")
@access(PUBLIC)
@limiter.limit(auth_limit)
@database.unit_of_work()
@spec.validate(json=VerifyEmailIn, resp=Response("HTTP_204", HTTP_400=ErrorOut), tags=TAGS)
def verify_email():
    """Confirm an address with the token of the emailed link `PUBLIC_URL/verify-email?token=…`.
    400 `invalid_verification_token` for a bad, used or expired token."""
    signup.verify(database.session(), token=request.context.json.token, now=utcnow())
    return current_app.response_class(status=204)
