"""Self-service sign-up that does not tell whether an address has an account, and address verification.

The contract answers a sign-up with 201 `{user, access_token, refresh_token}`. A sign-up with an address
that already has an account gets exactly that too: a new, working patient account (a *shadow*) with the
name and password just given. It is the same work (one bcrypt hash, one insert, one outbox row), the same
answer, and afterwards the same behaviour as any new unverified account (`/api/me`, booking, refresh),
but it is never found by the address (no sign-in, no password reset), can never be verified and is never
emailed; its tokens reach only itself. The address's owner is told instead ("someone tried to create an
account with your address", with the sign-in and reset links), at most once a day.

New accounts start unverified and get a link to confirm the address. They can book, and their appointment
emails (invites, reminders, follow-ups) go out as for anyone: the contract's flow is sign up, book, get the
invitation. Holding them until verification was tried and dropped: it breaks that flow, while the case it
guards against (mail about appointments someone else made with a stranger's free address) is bounded by
the per-IP sign-up limit and answered by the verification email itself ("not you? ignore it"). The case
that matters, an address that already has an account, never gets mail from the shadow (above).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import null
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic.errors import BadRequest
from clinic.identity import service as accounts
from clinic.identity import store
from clinic.identity.models import EmailVerification, Role, User
from clinic.outbox.service import emit
from clinic.topics import Topic

VERIFY_LINK_DAYS = 7

INVALID_LINK = {
    "es": "El enlace de verificación no es válido, ya se usó o ha caducado.",
    "en": "The verification link is not valid, was already used or has expired.",
}


def register(
    session: Session, *, email: str, password: str, full_name: str, phone: str | None, locale: str, now: datetime
) -> User:
    """A new patient account; a shadow one when the address is taken (module docstring)."""
    fields = {
        "email": email,
        "password": password,
        "full_name": full_name,
        "role": Role.patient.value,
        "phone": phone,
        "locale": locale,
    }
    owner = accounts.find_by_email(session, email)
    user = accounts.new_account(session, **fields)
    user.email_verified_at = null()  # NULL, not the column's default (None would leave it out of the INSERT)
    if owner is None:
        try:
            with session.begin_nested():
                session.add(user)
        except IntegrityError:  # the same address signed up a moment ago in another request
            owner = accounts.find_by_email(session, email)
            user = User(
                **{c: getattr(user, c) for c in ("email", "password_hash", "full_name", "role", "phone", "locale")},
                email_verified_at=null(),
            )
    if owner is not None:
        user.shadow = True
        session.add(user)
    session.flush()
    if owner is None:
        emit(session, Topic.REGISTERED, user_id=user.id)
    else:
        emit(session, Topic.SIGNUP_ATTEMPTED, user_id=owner.id, day=now.date().isoformat())
    return user


def request_verification(session: Session, *, user: User) -> None:
    """Send (again) the link to the account's address; nothing for verified or shadow accounts, silently."""
    if not user.shadow and user.email_verified_at is None:
        emit(session, Topic.VERIFICATION_REQUESTED, user_id=user.id)


def issue_link_token(session: Session, *, user_id: int, email: str, now: datetime) -> str:
    """A new single-use verification token for this address; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        EmailVerification(
            token_hash=_hash(token), user_id=user_id, email=email, expires_at=now + timedelta(days=VERIFY_LINK_DAYS)
        )
    )
    session.flush()
    return token


def verify(session: Session, *, token: str, now: datetime) -> User:
    """Mark the address of the token's account verified.

    A bad, used or expired token, or one sent to an address the account no longer has, is a 400."""
    link = store.verification_for_update(session, _hash(token))
    user = session.get(User, link.user_id) if link is not None else None
    if (
        user is None
        or link.used_at is not None
        or link.expires_at <= now
        or user.shadow
        or not user.is_active
        or user.email.lower() != link.email.lower()
    ):
        raise BadRequest(INVALID_LINK["en"], code="invalid_verification_token", translations=INVALID_LINK)
    link.used_at = now
    if user.email_verified_at is None:
        user.email_verified_at = now
    session.flush()
    return user


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()
