from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, EmailStr, Field

from web.schemas.common import CalendarDate, Changes, Line, NewPassword, Out, Phone, Strict

Locale = Literal["es", "en"]
RoleName = Literal["patient", "doctor", "receptionist", "admin"]


class UserOut(Out):
    id: int
    email: str | None = Field(description="None only for a walk-in patient registered without an email.")
    full_name: str
    role: str
    locale: str
    phone: str | None = None
    email_verified: bool = Field(
        default=False, description="Whether the address was confirmed through the emailed link."
    )
    sms_opt_in: bool = Field(default=False, description="Consent to SMS/WhatsApp reminders at `phone`.")
    sms_opt_in_at: AwareDatetime | None = Field(default=None, description="When that consent was given.")


class AdminUserOut(UserOut):
    """What admins see of an account: also whether it may sign in."""

    active: bool = Field(validation_alias="is_active")


class RegisterIn(Strict):
    email: EmailStr
    password: NewPassword
    full_name: Line = Field(min_length=1, max_length=200)
    phone: Phone | None = None
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
    password: NewPassword | None = Field(
        default=None,
        description="Without it the new user is emailed a link "
        "(valid 7 days, single use) to set their own password: an invitation.",
    )
    full_name: Line = Field(min_length=1, max_length=200)
    role: RoleName
    phone: Phone | None = None
    locale: Locale = "es"


PHONE = 'E.164 with the country code, e.g. `+34600112233` (checked with libphonenumber); `""` removes it'


class UpdateMeIn(Changes):
    full_name: Line | None = Field(default=None, min_length=1, max_length=200)
    phone: Line | None = Field(default=None, max_length=40, description=PHONE)
    locale: Locale | None = None
    sms_opt_in: bool | None = Field(
        default=None,
        strict=True,
        description="`true` records consent (and its time) to SMS/WhatsApp reminders at `phone`; `false` withdraws it",
    )


class PatientContactIn(Changes):
    phone: Line | None = Field(default=None, max_length=40, description=PHONE)
    sms_opt_in: bool | None = Field(
        default=None,
        strict=True,
        description="the patient's consent to SMS/WhatsApp reminders, as they told the front desk",
    )


class UpdateUserIn(Changes):
    full_name: Line | None = Field(default=None, min_length=1, max_length=200)
    role: RoleName | None = None
    active: bool | None = Field(default=None, strict=True)


class PasswordResetIn(Strict):
    email: EmailStr


class PasswordResetConfirmIn(Strict):
    token: str = Field(min_length=1, max_length=200)
    password: NewPassword


class ChangePasswordIn(Strict):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class VerifyEmailIn(Strict):
    token: str = Field(
        min_length=1, max_length=200, description="The `token` of the emailed link `PUBLIC_URL/verify-email?token=…`."
    )


class WalkInIn(Strict):
    """A patient registered at the front desk: a name, and whatever else they give."""

    full_name: Line = Field(min_length=1, max_length=200)
    phone: Phone | None = None
    email: EmailStr | None = Field(
        default=None,
        description="With an email the patient gets a link to choose a "
        "password (valid 7 days); without one they never sign in and are never emailed.",
    )
    birth_date: CalendarDate | None = None
    locale: Locale = "es"


class PatientOut(UserOut):
    birth_date: CalendarDate | None = None
    has_password: bool = Field(
        description="Whether the patient can sign in (walk-ins cannot until they use their link)."
    )
