"""Refresh-token families: rotation, reuse detection, revocation, the idle limit. Stored in PostgreSQL.

A family is one sign-in. Its access tokens name it (`fam`), and every signed-in request checks that it was
not revoked (`checked_actor`, or inside its one statement: clinic.identity.store), so revoking a family ends its access tokens at once as well as its refresh tokens.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from clinic.errors import Unauthorized
from clinic.identity import store
from clinic.identity.actor import Actor
from clinic.identity.models import RefreshToken, User
from clinic.unit_of_work import keep


class RefreshTokenReused(Unauthorized):
    code = "token_reused"
    message = "This refresh token was already used; every session from that sign-in has been closed."


def revoked() -> Unauthorized:
    """The answer to a token whose account no longer holds (see `checked_actor`)."""
    return Unauthorized("The token has been revoked or the account is disabled.", code="invalid_token")


def checked_actor(session: Session, actor: Actor) -> Actor:
    """The actor a token names, with its account checked now (one round trip) and the account's current
    role; raises `revoked()` when the account no longer holds (clinic.identity.store.account_role)."""
    role = store.account_role(session, actor)
    if role is None:
        raise revoked()
    return Actor(user_id=actor.user_id, role=role, token_id=actor.token_id, family_id=actor.family_id)


class SessionIdle(Unauthorized):
    code = "session_idle"
    message = "The session was idle for too long; sign in again."


@dataclass(frozen=True)
class RefreshGrant:
    jti: uuid.UUID
    family_id: uuid.UUID
    user: User
    expires_at: datetime


def start_family(
    session: Session, *, user: User, now: datetime, lifetime: timedelta, absolute: timedelta
) -> RefreshGrant:
    """Issue the first refresh token of a new sign-in."""
    family_expires = now + absolute
    return _issue(
        session,
        user=user,
        family_id=uuid.uuid4(),
        now=now,
        expires_at=min(now + lifetime, family_expires),
        family_expires_at=family_expires,
    )


def rotate(
    session: Session, *, jti: uuid.UUID, now: datetime, lifetime: timedelta, idle: timedelta | None = None
) -> RefreshGrant:
    """Trade a live refresh token for a new one of the same family; a second use kills the family.

    `idle`: a family whose newest refresh token is older than this was left alone that long, and ends
    (a stolen refresh token dies with the session it was taken from)."""
    token = store.refresh_token_for_update(session, jti)
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthorized("The refresh token is not valid.", code="invalid_token")
    if idle is not None and token.rotated_at is None and token.issued_at + idle <= now:
        keep(session, partial(revoke_family, family_id=token.family_id, now=now))  # survives the 401
        raise SessionIdle()
    if token.rotated_at is not None:
        keep(session, partial(revoke_family, family_id=token.family_id, now=now))  # survives the 401
        raise RefreshTokenReused()
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The refresh token is not valid.", code="invalid_token")
    token.rotated_at = now
    return _issue(
        session,
        user=user,
        family_id=token.family_id,
        now=now,
        expires_at=min(now + lifetime, token.family_expires_at),
        family_expires_at=token.family_expires_at,
    )


def revoke_family_of(session: Session, *, jti: uuid.UUID, user_id: int, now: datetime) -> None:
    """Sign out: kill the family of this refresh token if it belongs to the user."""
    family = store.family_of(session, jti=jti, user_id=user_id)
    if family is not None:
        revoke_family(session, family_id=family, now=now)


def revoke_family(session: Session, *, family_id: uuid.UUID, now: datetime) -> None:
    store.revoke_family(session, family_id=family_id, now=now)


def revoke_all(session: Session, *, user_id: int, now: datetime, keep: uuid.UUID | None = None) -> None:
    """Sign the account out everywhere (but for the sign-in `keep`): every refresh token and, through their
    families, every access token stops working."""
    store.revoke_all(session, user_id=user_id, now=now, keep=keep)


def revoke_access(session: Session, *, jti: uuid.UUID, expires_at: datetime) -> None:
    store.revoke_access(session, jti=jti, expires_at=expires_at)


def _issue(
    session: Session,
    *,
    user: User,
    family_id: uuid.UUID,
    now: datetime,
    expires_at: datetime,
    family_expires_at: datetime,
) -> RefreshGrant:
    token = RefreshToken(
        jti=uuid.uuid4(),
        family_id=family_id,
        user_id=user.id,
        issued_at=now,
        expires_at=expires_at,
        family_expires_at=family_expires_at,
    )
    session.add(token)
    session.flush()
    return RefreshGrant(jti=token.jti, family_id=family_id, user=user, expires_at=expires_at)
