"""Accounts: registration, sign-in, staff-created users."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clinic.errors import Conflict, Invalid, Unauthorized
from clinic.identity import passwords
from clinic.identity.models import LOCALES, Role, User


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def escape_like(text: str) -> str:
    """`text` matched literally inside a LIKE pattern (escape character: backslash): `%` and `_` are
    characters someone typed, not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(session: Session, *, text: str | None, role: str | None, limit: int) -> list[User]:
    """Accounts whose name or email contains `text` (any case), optionally of one role, by name."""
    stmt = select(User).order_by(User.full_name).limit(limit)
    if role:
        stmt = stmt.where(User.role == role)
    if text:
        like = f"%{escape_like(text.lower())}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(like, escape="\\"),
                              func.lower(User.email).like(like, escape="\\")))
    return list(session.scalars(stmt))


def create_user(session: Session, *, email: str, password: str, full_name: str, role: str,
                phone: str | None = None, locale: str = "es") -> User:
    """Create an account with any role; callers decide who may choose the role."""
    if role not in {r.value for r in Role}:
        raise Invalid(fields={"role": "must be one of patient, doctor, receptionist, admin"})
    if locale not in LOCALES:
        raise Invalid(fields={"locale": "must be one of es, en"})
    if not full_name.strip():
        raise Invalid(fields={"full_name": "must not be empty"})
    passwords.validate(password)
    email = email.strip()
    if find_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.", code="email_taken",
                       fields={"email": "already registered"})
    user = User(email=email, password_hash=passwords.hash_password(password), full_name=full_name.strip(),
                role=role, phone=phone, locale=locale)
    session.add(user)
    session.flush()
    return user


def register_patient(session: Session, *, email: str, password: str, full_name: str,
                     phone: str | None = None, locale: str = "es") -> User:
    """Self-service sign-up always yields a patient."""
    return create_user(session, email=email, password=password, full_name=full_name,
                       role=Role.patient.value, phone=phone, locale=locale)


def authenticate(session: Session, *, email: str, password: str) -> User:
    user = find_by_email(session, email)
    if user is None:
        passwords.verify(password, passwords.DUMMY_HASH)
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    if not passwords.verify(password, user.password_hash) or not user.is_active:
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    return user


def update_profile(session: Session, *, user: User, full_name: str | None = None,
                   phone: str | None = None, locale: str | None = None) -> User:
    if locale is not None:
        if locale not in LOCALES:
            raise Invalid(fields={"locale": "must be one of es, en"})
        user.locale = locale
    if full_name is not None:
        if not full_name.strip():
            raise Invalid(fields={"full_name": "must not be empty"})
        user.full_name = full_name.strip()
    if phone is not None:
        user.phone = phone or None
    session.flush()
    return user
