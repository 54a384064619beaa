"""Typed domain errors: each carries the HTTP-ish status and a stable snake_case code."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        translations: dict[str, str] | None = None,
        field_codes: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.fields = fields or {}
        # The stable snake_case code per field (`too_short`, `invalid_email`…) the answer's `fields` carries;
        # when not given, the web layer derives one from the text in `fields` (web/errors.field_codes_of).
        self.field_codes = field_codes or {}
        # The message in each user language ({"es": ..., "en": ...}) for errors a person reads as is;
        # the web layer picks one by the request's language. `message` stays the English default.
        self.translations = translations or {}

    def message_in(self, locale: str) -> str:
        return self.translations.get(locale, self.message)


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    message = "Authentication is required."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Not found."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class Invalid(DomainError):
    status = 422
    code = "validation_error"
    message = "Some fields are invalid."
