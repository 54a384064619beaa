from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from web.schemas.common import Changes, Line, NewPassword, Out, Strict

Locale = Literal["es", "en"]
RoleName = Literal["patient", "doctor", "receptionist", "admin"]


class UserOut(Out):
    id: int
    email: str
    full_name: str
    role: str
    locale: str
    phone: str | None = None
    email_verified: bool = Field(default=False, description="Whether the address was confirmed through the "
                                 "emailed link.")


class AdminUserOut(UserOut):
    """What admins see of an account: also whether it may sign in."""

    active: bool = Field(validation_alias="is_active")


class RegisterIn(Strict):
    email: EmailStr
    password: NewPassword
    full_name: Line = Field(min_length=1, max_length=200)
    phone: Line | None = Field(default=None, max_length=40)
    locale: Locale = "es"


class LoginIn(Strict):
    email: Line = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class LogoutIn(Strict):
    refresh_token: str | None = None


class TokensOut(Out):
    access_token: str
    refresh_token: str


class SessionOut(TokensOut):
    user: UserOut


class CreateUserIn(Strict):
    email: EmailStr
    password: NewPassword | None = Field(default=None, description="Without it the new user is emailed a link "
                                         "(valid 7 days, single use) to set their own password: an invitation.")
    full_name: Line = Field(min_length=1, max_length=200)
    role: RoleName
    phone: Line | None = Field(default=None, max_length=40)
    locale: Locale = "es"


class UpdateMeIn(Changes):
    full_name: Line | None = Field(default=None, min_length=1, max_length=200)
    phone: Line | None = Field(default=None, max_length=40)
    locale: Locale | None = None


class UpdateUserIn(Changes):
    full_name: Line | None = Field(default=None, min_length=1, max_length=200)
    role: RoleName | None = None
    active: bool | None = None


class PasswordResetIn(Strict):
    email: EmailStr


class PasswordResetConfirmIn(Strict):
    token: str = Field(min_length=1, max_length=200)
    password: NewPassword


class ChangePasswordIn(Strict):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class VerifyEmailIn(Strict):
    token: str = Field(min_length=1, max_length=200, description="The `token` of the emailed link "
                       "`PUBLIC_URL/verify-email?token=…`.")
