"""Walk-in patients: registered by the front desk, perhaps without an email, never with a password.

Without an email the person never signs in and is never emailed (the desk books for them). With one, they
get a link to choose a password (the password-reset machinery, `resets.invite`), then sign in and see
their appointments. An address that already belongs to an account is refused with `email_taken`: the
desk is staff (who may look accounts up anyway), and refusing is what keeps the walk-in from taking over
or shadowing that account: nothing is created, nothing is sent to the owner. Addresses known only to a
shadow account (clinic/identity/signup.py) are free, as for any new account.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic.errors import Conflict, Invalid
from clinic.identity import resets
from clinic.identity import service as accounts
from clinic.identity.models import LOCALES, Role, User

OLDEST = date(1900, 1, 1)


def _taken() -> Conflict:
    return Conflict(
        "This email already belongs to an account: search for that patient instead.",
        code="email_taken",
        fields={"email": "already registered"},
    )


def register_walk_in(
    session: Session,
    *,
    full_name: str,
    phone: str | None,
    email: str | None,
    birth_date: date | None,
    locale: str,
    secret: str,
    now: datetime,
) -> User:
    """A new patient account made by the front desk (no password); with an email, a set-password link."""
    full_name = full_name.strip()
    if not full_name:
        raise Invalid(fields={"full_name": "must not be empty"})
    if locale not in LOCALES:
        raise Invalid(fields={"locale": "must be one of es, en"})
    if birth_date is not None and not OLDEST <= birth_date <= now.date():
        raise Invalid(
            "The date of birth must be between 1900-01-01 and today.",
            fields={"birth_date": "must be between 1900-01-01 and today"},
        )
    email = (email or "").strip() or None
    if email is not None and accounts.find_by_email(session, email) is not None:
        raise _taken()
    user = User(
        email=email,
        password_hash=None,
        full_name=full_name,
        role=Role.patient.value,
        phone=(phone or "").strip() or None,
        locale=locale,
        birth_date=birth_date,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError as exc:  # the same address registered at the same moment
        if "uq_users_email_lower" in str(exc.orig):
            raise _taken() from None
        raise
    if email is not None:
        resets.invite(session, user=user, secret=secret, now=now)
    return user
