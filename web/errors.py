"""One place that turns every failure into the contract's JSON error shape.

The handlers only answer: a view's unit of work (web.database) has already rolled back what the failed use
case changed, and applied again what it kept (clinic.unit_of_work.keep), before its error arrives here."""

from __future__ import annotations

import logging
import re

from flask import Flask, jsonify, request
from flask_jwt_extended.exceptions import CSRFError, JWTExtendedException
from jwt import PyJWTError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from clinic.errors import DomainError
from clinic.identity.models import LOCALES

log = logging.getLogger("web.errors")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


# Field texts the services send, by the stable code a client translates them with.
_KNOWN_FIELD_TEXTS = {
    "is required": "required",
    "must not be empty": "required",
    "already registered": "taken",
    "is not correct": "wrong",
    "must not be before from": "before_start",
    "must be after start": "before_start",
    "must be after starts_at": "before_start",
    "is in the past": "in_past",
    "is not an accepted field": "not_accepted",
}
_CODE = re.compile(r"[a-z][a-z0-9_]*")


def field_codes_of(fields: dict[str, str], given: dict[str, str] | None = None) -> dict[str, str]:
    """A stable snake_case code for every field of an error, which clients translate (the contract's
    `fields: {"field": "why"}`, `why` a machine code): the one given, else the field's text when it already is
    a code (the password policy sends `too_common`), else a known text's code, else `invalid`. The human
    explanation is the error's `message`, in the request's language where it has translations."""
    given = given or {}
    codes = {}
    for name, why in fields.items():
        why = str(why)
        codes[name] = given.get(name) or (why if _CODE.fullmatch(why) else _KNOWN_FIELD_TEXTS.get(why, "invalid"))
    return codes


def error_body(status: int, code: str, message: str, fields: dict | None = None, field_codes: dict | None = None):
    fields = fields or {}
    # The words a field's code replaces still reach a developer reading the answer: in the message.
    details = "; ".join(f"{name}: {why}" for name, why in fields.items() if not _CODE.fullmatch(str(why)))
    if details:
        message = f"{message.rstrip('.')} ({details})."
    error = {"code": code, "message": message, "fields": field_codes_of(fields, field_codes)}
    response = jsonify({"error": error})
    response.status_code = status
    return response


def request_locale() -> str:
    """The language a person reading this answer uses: the body's `locale` (sign-up sends it), else
    the best of `Accept-Language`, else Spanish."""
    body = request.get_json(silent=True) if request.is_json else None
    chosen = body.get("locale") if isinstance(body, dict) else None
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES, default=LOCALES[0])


def unavailable():
    response = error_body(503, "unavailable", "The service is temporarily unavailable.")
    response.headers["Retry-After"] = "5"
    return response


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        message = err.message_in(request_locale()) if err.translations else err.message
        return error_body(err.status, err.code, message, err.fields, err.field_codes)

    def token_error(err: Exception):
        if isinstance(err, CSRFError):
            return error_body(401, "csrf_failed", "The CSRF token is missing or does not match.")
        return error_body(401, "invalid_token", "The access token is missing, expired or invalid.")

    # flask-jwt-extended registers a handler per exception class (some answer 422): replace them all,
    # so every token problem is the same 401. Call this after `jwt.init_app`.
    token_classes = {JWTExtendedException, PyJWTError}
    token_classes |= {cls for cls in app.error_handler_spec[None][None] if issubclass(cls, tuple(token_classes))}
    for cls in token_classes:
        app.register_error_handler(cls, token_error)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        if status == 429:
            return error_body(429, "rate_limited", "Too many requests; try again later.")
        message = {404: "No such resource.", 405: "Method not allowed."}.get(status, err.description or "")
        response = error_body(status, HTTP_CODES.get(status, "error"), message)
        for name, value in err.get_headers():  # e.g. the `Allow` of a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(IntegrityError)
    def integrity_error(err: IntegrityError):
        log.info("integrity error: %s", getattr(err.orig, "sqlstate", None))
        return error_body(409, "conflict", "The change conflicts with existing data.")

    @app.errorhandler(DataError)
    def data_error(err: DataError):
        # A value PostgreSQL refuses (out of range, NUL byte) that validation let through: the client's input.
        log.warning("data error: %s", getattr(err.orig, "sqlstate", None))
        return error_body(422, "invalid_value", "A value is out of range or not allowed.")

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(err: Exception):
        log.error("database error: %s", type(err).__name__)
        return unavailable()

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        log.exception("unhandled error")
        return error_body(500, "internal_error", "Something went wrong on our side.")
