"""All of the identity domain's SQL: accounts, refresh-token families, revoked access tokens, reset and
verification links, and the account check of every signed-in request.

Raw SQL in psycopg's `%(name)s` style through clinic.db's helpers; ORM queries for the rows the services
then change as objects. Functions take the session first and return data; they never commit.

The account check (`ACCOUNT_HOLDS`, `account_check`) is the one SQL form of "this token's account still
holds": the user is active, the access token was not revoked at logout, and its sign-in (refresh-token
family) was not revoked. It runs as a statement of its own (`account_role`) or, for a caller whose actor
says so (`Actor.check_in_statement`), inside the booking or slots statement: those stores compose
`ACCOUNT_HOLDS` into their statement at import and pass `account_check(actor)` as its parameters.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from clinic.db import execute, fetch_all, fetch_value, first_row
from clinic.identity.actor import Actor
from clinic.identity.models import EmailVerification, PasswordReset, RefreshToken, RevokedAccessToken, User
from clinic.topics import Topic

# --- the account check -------------------------------------------------------------------------------

# The account behind a token: the user is still active, this token was not revoked at logout, and its
# sign-in (refresh-token family; NULL for a refresh token, whose own row the rotation checks) lives.
_ACCOUNT = """FROM users u WHERE u.id = %(auth_uid)s AND u.is_active
      AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = %(auth_jti)s)
      AND NOT EXISTS (SELECT 1 FROM refresh_tokens f WHERE f.family_id = %(auth_fam)s AND f.revoked_at IS NOT NULL)"""
_ACCOUNT_ROLE = f"SELECT u.role {_ACCOUNT}"  # one round trip of its own (every signed-in request)
# The same check as a boolean of another statement, with the role the token names.
ACCOUNT_HOLDS = f"EXISTS (SELECT 1 {_ACCOUNT} AND u.role = %(auth_role)s)"


def _account_params(actor: Actor) -> dict:
    return {"auth_uid": actor.user_id, "auth_jti": actor.token_id, "auth_fam": actor.family_id}


def account_role(session: Session, actor: Actor) -> str | None:
    """The role of the actor's account if its token still holds (see module docstring), else None."""
    row = first_row(session, _ACCOUNT_ROLE, _account_params(actor))
    return None if row is None else row[0]


def account_check(actor: Actor) -> dict | None:
    """The parameters of `ACCOUNT_HOLDS` when the actor's account is to be checked inside a statement
    (`Actor.check_in_statement`), else None: the statement then checks nothing (written TRUE)."""
    if not actor.check_in_statement:
        return None
    return {**_account_params(actor), "auth_role": actor.role}


# --- accounts ----------------------------------------------------------------------------------------


def user_by_email(session: Session, email: str) -> User | None:
    """The account that owns this address (any case; shadow accounts are never found by it)."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower(), ~User.shadow))


def escape_like(text: str) -> str:
    """`text` matched literally inside a LIKE pattern (escape character: backslash): `%` and `_` are
    characters someone typed, not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Accents folded on both sides, so "perez" finds "Pérez" and "lucia" finds "Lucía" (Spanish and the usual
# Western European letters; PostgreSQL's translate() needs no extension).
_ACCENTED, _PLAIN = "áàâäãåéèêëíìîïóòôöõúùûüñçý", "aaaaaaeeeeiiiiooooouuuuncy"
_FOLD = str.maketrans(_ACCENTED, _PLAIN)


def _folded(column):
    return func.translate(func.lower(column), _ACCENTED, _PLAIN)


def search_users(session: Session, *, text: str | None, role: str | None, limit: int) -> list[User]:
    """Accounts whose name or email contains `text` (any case, accents ignored), or whose phone contains its
    digits (three or more), optionally of one role, by name."""
    stmt = select(User).order_by(User.full_name).limit(limit)
    if role:
        stmt = stmt.where(User.role == role)
    if text:
        like = f"%{escape_like(text.lower().translate(_FOLD))}%"
        found = [_folded(User.full_name).like(like, escape="\\"), _folded(User.email).like(like, escape="\\")]
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 3:
            found.append(func.regexp_replace(User.phone, "[^0-9]", "", "g").like(f"%{digits}%"))
        stmt = stmt.where(or_(*found))
    return list(session.scalars(stmt))


def is_patient(session: Session, user_id: int) -> bool:
    return bool(
        fetch_value(
            session, "SELECT EXISTS (SELECT 1 FROM users WHERE id = %(id)s AND role = 'patient')", {"id": user_id}
        )
    )


def has_active_doctor(session: Session, user_id: int) -> bool:
    """Whether the account is an active doctor's (bookable, with a schedule)."""
    sql = "SELECT EXISTS (SELECT 1 FROM doctors WHERE user_id = %(id)s AND active)"
    return bool(fetch_value(session, sql, {"id": user_id}))


def clinic_names(session: Session) -> list[str]:
    """Every clinic's name (words a password must not lean on)."""
    return [row.name for row in fetch_all(session, "SELECT name FROM clinics")]


# --- refresh-token families and revoked access tokens -----------------------------------------------


def refresh_token_for_update(session: Session, jti: uuid.UUID) -> RefreshToken | None:
    return session.scalars(select(RefreshToken).where(RefreshToken.jti == jti).with_for_update()).first()


def family_of(session: Session, *, jti: uuid.UUID, user_id: int) -> uuid.UUID | None:
    """The family of this refresh token if it belongs to the user."""
    return session.scalar(
        select(RefreshToken.family_id).where(RefreshToken.jti == jti, RefreshToken.user_id == user_id)
    )


def revoke_family(session: Session, *, family_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_all(session: Session, *, user_id: int, now: datetime, keep: uuid.UUID | None = None) -> None:
    """Revoke every live refresh token of the account but those of the family `keep`."""
    stmt = update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(RefreshToken.family_id != keep)
    session.execute(stmt.values(revoked_at=now))


def revoke_access(session: Session, *, jti: uuid.UUID, expires_at: datetime) -> None:
    session.execute(insert(RevokedAccessToken).values(jti=jti, expires_at=expires_at).on_conflict_do_nothing())


# --- password-reset and verification links ----------------------------------------------------------

# Finds an active account with that email and, only then, writes the link and its outbox message.
_REQUEST_RESET = f"""
WITH target AS (
    SELECT u.id FROM users u
    WHERE lower(u.email) = %(email)s AND u.is_active AND NOT u.shadow
      AND (SELECT count(*) FROM password_resets r
           WHERE r.user_id = u.id AND r.used_at IS NULL AND r.expires_at > %(now)s) < %(max_live)s
), reset AS (
    INSERT INTO password_resets (user_id, nonce, token_hash, created_at, expires_at)
    SELECT id, %(nonce)s, %(token_hash)s, %(now)s, %(expires_at)s FROM target RETURNING id, user_id
)
INSERT INTO outbox (topic, payload)
SELECT '{Topic.PASSWORD_RESET}', jsonb_build_object('reset_id', id, 'user_id', user_id) FROM reset"""


def request_reset(
    session: Session, *, email: str, nonce: bytes, token_hash: bytes, now: datetime, expires_at: datetime, max_live: int
) -> None:
    """Write a reset link and its outbox message if `email` (lower case) is an active account's with fewer
    than `max_live` live links; nothing otherwise. The transaction commits without waiting for its WAL flush."""
    execute(session, "SET LOCAL synchronous_commit = off")
    execute(
        session,
        _REQUEST_RESET,
        {
            "email": email,
            "now": now,
            "max_live": max_live,
            "nonce": nonce,
            "token_hash": token_hash,
            "expires_at": expires_at,
        },
    )


def reset_for_update(session: Session, token_hash: bytes) -> PasswordReset | None:
    return session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash).with_for_update()
    ).first()


def use_resets(session: Session, *, user_id: int, now: datetime) -> None:
    """Mark every unused reset link of the account used."""
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )


def reset_with_user(session: Session, reset_id: int) -> tuple[PasswordReset, User] | None:
    row = session.execute(
        select(PasswordReset, User).join(User, User.id == PasswordReset.user_id).where(PasswordReset.id == reset_id)
    ).first()
    return None if row is None else (row[0], row[1])


def verification_for_update(session: Session, token_hash: bytes) -> EmailVerification | None:
    return session.scalar(select(EmailVerification).where(EmailVerification.token_hash == token_hash).with_for_update())
