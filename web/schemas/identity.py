from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from web.schemas.common import Out, Strict

Locale = Literal["es", "en"]
RoleName = Literal["patient", "doctor", "receptionist", "admin"]


class UserOut(Out):
    id: int
    email: str
    full_name: str
    role: str
    locale: str
    phone: str | None = None
    # False until the address is confirmed through the emailed link; until then no patient email is sent.
    email_verified: bool = Field(default=False, description="Whether the address was confirmed through the "
                                 "emailed link; until then no email about appointments is sent to it.")


PASSWORD_POLICY = ("At least 8 characters and at most 72 bytes; refused (422 `weak_password`, "
                   "`fields.password` one of too_short, too_long, too_common, too_personal, too_weak; "
                   "`message` in the body's `locale`, else Accept-Language, else Spanish) when it is among the "
                   "100,000 most common passwords, made of the account's email, name or a clinic's name, or "
                   "guessable in under 10^8 tries (zxcvbn).")


class AdminUserOut(UserOut):
    """What admins see of an account: also whether it may sign in."""

    active: bool = Field(validation_alias="is_active")


class RegisterIn(Strict):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200, description=PASSWORD_POLICY)
    full_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    locale: Locale = "es"


class LoginIn(Strict):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200, description=PASSWORD_POLICY)


class LogoutIn(Strict):
    refresh_token: str | None = None


class TokensOut(Out):
    access_token: str
    refresh_token: str


class SessionOut(TokensOut):
    user: UserOut


class CreateUserIn(Strict):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200, description=PASSWORD_POLICY)
    full_name: str = Field(min_length=1, max_length=200)
    role: RoleName
    phone: str | None = Field(default=None, max_length=40)
    locale: Locale = "es"


class UpdateMeIn(Strict):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    locale: Locale | None = None


class UpdateUserIn(Strict):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: RoleName | None = None
    active: bool | None = None


class PasswordResetIn(Strict):
    email: EmailStr


class PasswordResetConfirmIn(Strict):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200, description=PASSWORD_POLICY)


class ChangePasswordIn(Strict):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200, description=PASSWORD_POLICY)


class VerifyEmailIn(Strict):
    token: str = Field(min_length=1, max_length=200, description="The `token` of the emailed link "
                       "`PUBLIC_URL/verify-email?token=…`.")
