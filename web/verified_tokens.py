"""A JWT manager that verifies each token's signature once per process: the app's adapter of flask-jwt-extended.

A signed-in client presents the same access token on every request for its 15-minute life, and
flask-jwt-extended decodes it three times per request (unverified, only to pick a key; verified; and
once more for its header), which costs more than the request's own SQL. The claims and header of a
token that passed full verification are kept here, keyed by the exact token string (and CSRF value):
the same bytes under the same key verify the same way again, so a hit only re-checks what changes with
time, the expiry. A miss is verified once with the library's own checks and the app's single key (no
key callback is configured); an expired or otherwise refused token, or `allow_expired`, takes the
library's full path, which also builds its error. Revocation and the account check are not cached:
`web.access` asks PostgreSQL on every request.

Every decoded token must also have the shape this server issues (`check_shape`): an expiry, a numeric
subject, a UUID `jti`, and for access tokens the UUID of their sign-in (`fam`). A token signed with the
right key but missing any of them is refused like a forged one (401), never a 422 or a 500 further on.

This is the one module that reaches past flask-jwt-extended's public API: it overrides
`JWTManager._decode_jwt_from_config`, calls `flask_jwt_extended.tokens._decode_jwt`, and points
`view_decorators.get_unverified_jwt_headers` at the cache. tests/web/test_library_adapters.py fails if
the library stops routing a request's token through them (a repeated token would be decoded again).
"""

from __future__ import annotations

import threading
import time
import uuid

import jwt as pyjwt
from flask import Flask, current_app
from flask_jwt_extended import JWTManager, view_decorators
from flask_jwt_extended.config import config
from flask_jwt_extended.exceptions import JWTDecodeError
from flask_jwt_extended.tokens import _decode_jwt
from jwt import PyJWTError

MAX_ENTRIES = 4096
_evicting = threading.Lock()  # gthread workers share the caches; lookups need no lock, evictions do


class CachingJWTManager(JWTManager):
    def init_app(self, app: Flask, add_context_processor: bool = False) -> None:
        super().init_app(app, add_context_processor)
        app.extensions["verified_jwt_claims"] = {}
        app.extensions["verified_jwt_headers"] = {}
        # The request path reads each token's header through this module-level name.
        view_decorators.get_unverified_jwt_headers = _header

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None, allow_expired: bool = False) -> dict:
        if allow_expired:
            return check_shape(super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired))
        cache: dict = current_app.extensions["verified_jwt_claims"]
        key = (encoded_token, csrf_value)
        claims = cache.get(key)
        if claims is not None and time.time() < claims["exp"] + current_app.config["JWT_DECODE_LEEWAY"]:
            return dict(claims)
        try:
            claims = _decode_jwt(
                encoded_token=encoded_token,
                csrf_value=csrf_value,
                allow_expired=False,
                secret=config.decode_key,
                algorithms=config.decode_algorithms,
                audience=config.decode_audience,
                verify_aud=config.decode_audience is not None,
                issuer=config.decode_issuer,
                leeway=config.leeway,
                identity_claim_key=config.identity_claim_key,
                verify_sub=config.verify_sub,
            )
        except PyJWTError:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)  # raises as before
        check_shape(claims)
        _remember(cache, key, dict(claims))
        _remember(
            current_app.extensions["verified_jwt_headers"], encoded_token, pyjwt.get_unverified_header(encoded_token)
        )
        return claims


MAX_USER_ID = 2**63 - 1  # users.id is a BIGINT


def check_shape(claims: dict) -> dict:
    """Refuse a correctly signed token that this server would never have issued."""
    sub, exp = claims.get("sub"), claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise JWTDecodeError("Missing claim: exp")
    if not (
        isinstance(sub, str) and 0 < len(sub) <= 19 and sub.isascii() and sub.isdigit() and 0 < int(sub) <= MAX_USER_ID
    ):
        raise JWTDecodeError("Invalid claim: sub")
    if claims.get("type") not in ("access", "refresh"):
        raise JWTDecodeError("Invalid claim: type")
    if not _is_uuid(claims.get("jti")) or (claims["type"] == "access" and not _is_uuid(claims.get("fam"))):
        raise JWTDecodeError("Invalid claim: jti or fam")
    return claims


def _is_uuid(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _remember(cache: dict, key, value) -> None:
    with _evicting:
        if len(cache) >= MAX_ENTRIES:
            del cache[next(iter(cache))]  # oldest first
        cache[key] = value


def _header(encoded_token: str) -> dict:
    header = current_app.extensions.get("verified_jwt_headers", {}).get(encoded_token)
    return dict(header) if header is not None else pyjwt.get_unverified_header(encoded_token)
