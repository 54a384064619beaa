"""Password-reset links: opaque, single use, valid one hour, stored only as a hash.

A link's token is HMAC(secret, nonce) over a random 18-byte nonce (the scheme of the calendar feed URLs):
the row keeps the nonce and the token's SHA-256, so a database dump alone opens no account, while the
email worker, which holds the secret, renders the link when it sends it (the token is never written to
the outbox or to a delivery row; only the rendered email, while it is being sent, carries it).

Asking for a link answers the same whatever the address: one statement that finds an active account
with that email and, only then, writes the link and its outbox message, so a known and an unknown
address cost the same work and time; the transaction also commits without waiting for its WAL flush,
which only a write would pay (a crash in that instant loses the request, and the person asks again). At most MAX_LIVE unused links per account are alive at once; asking
again then sends nothing new (the links already sent still work), so nobody can flood an inbox, and no
throttle can keep the owner from the links they have.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from clinic import keyed_tokens
from clinic.errors import BadRequest
from clinic.identity import service as accounts
from clinic.identity import store
from clinic.identity.models import PasswordReset, User
from clinic.outbox.service import emit
from clinic.topics import Topic

LIFETIME = timedelta(hours=1)
MAX_LIVE = 3
TOPIC = Topic.PASSWORD_RESET  # written by store.request_reset
# The first link of an account made without a password ("choose your password"): same token scheme, a
# longer life (a walk-in or an invited colleague may read their mail days later).
INVITE_TOPIC = Topic.INVITED
INVITE_LIFETIME = timedelta(days=7)
_CONTEXT = b"clinic password reset v1\x00"


class BadResetToken(BadRequest):
    code = "invalid_reset_token"
    message = "This password-reset link is not valid: it was already used, has expired, or is wrong."


def token_for(secret: str, nonce: bytes) -> str:
    return keyed_tokens.encode(keyed_tokens.mac(secret, _CONTEXT, nonce))


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def request_reset(session: Session, *, email: str, secret: str, now: datetime) -> None:
    """Send a reset link to this address if it is an active account's; say nothing either way."""
    nonce = os.urandom(18)
    store.request_reset(
        session,
        email=email.strip().lower(),
        nonce=nonce,
        token_hash=token_hash(token_for(secret, nonce)),
        now=now,
        expires_at=now + LIFETIME,
        max_live=MAX_LIVE,
    )


def invite(session: Session, *, user: User, secret: str, now: datetime) -> None:
    """Email a new account without a password (a walk-in registered by the front desk, or a colleague an
    admin added) the link that sets it: a reset link that lives INVITE_LIFETIME, in a "choose your password"
    email."""
    nonce = os.urandom(18)
    reset = PasswordReset(
        user_id=user.id,
        nonce=nonce,
        token_hash=token_hash(token_for(secret, nonce)),
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    session.add(reset)
    session.flush()
    emit(session, INVITE_TOPIC, reset_id=reset.id, user_id=user.id)


def confirm_reset(session: Session, *, token: str, password: str, now: datetime) -> User:
    """Set a new password with a live link: the link and the account's other links die, and every sign-in
    of the account ends (refresh and access tokens). The address counts as verified from then on."""
    reset = store.reset_for_update(session, token_hash(token))
    user = session.get(User, reset.user_id) if reset is not None else None
    if reset is None or reset.used_at is not None or reset.expires_at <= now or user is None or not user.is_active:
        raise BadResetToken()
    accounts.set_password(session, user=user, password=password, now=now)
    if user.email_verified_at is None:  # the link reached the mailbox: that proves the address too
        user.email_verified_at = now
    store.use_resets(session, user_id=user.id, now=now)
    return user


def link_for(
    session: Session, *, reset_id: int, secret: str, public_url: str, now: datetime
) -> tuple[User, str] | None:
    """For the email worker: the account and its link; None when the link is no longer live."""
    row = store.reset_with_user(session, reset_id)
    if row is None:
        return None
    reset, user = row
    if reset.used_at is not None or reset.expires_at <= now or not user.is_active:
        return None
    return user, f"{public_url}/reset-password?token={token_for(secret, reset.nonce)}"
