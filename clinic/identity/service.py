"""Accounts: registration, sign-in, staff-created users, password changes, deactivation."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from clinic.errors import Conflict, Invalid, NotFound, Unauthorized
from clinic.identity import passwords, store, tokens
from clinic.identity.actor import Actor
from clinic.identity.models import LOCALES, Role, User


def find_by_email(session: Session, email: str) -> User | None:
    """The account that owns this address (shadows, see `signup`, are never found by it)."""
    return store.user_by_email(session, email)


def search(session: Session, *, text: str | None, role: str | None, limit: int) -> list[User]:
    """Accounts whose name or email contains `text` (any case), optionally of one role, by name."""
    return store.search_users(session, text=text, role=role, limit=limit)


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: str,
    phone: str | None = None,
    locale: str = "es",
) -> User:
    """Create an account with any role; callers decide who may choose the role. Accounts made by staff,
    the CLI or the demo count as verified (the column's default): whoever made them vouches for the address."""
    user = new_account(
        session, email=email, password=password, full_name=full_name, role=role, phone=phone, locale=locale
    )
    if find_by_email(session, user.email) is not None:
        raise Conflict(
            "An account with this email already exists.", code="email_taken", fields={"email": "already registered"}
        )
    session.add(user)
    session.flush()
    return user


def new_account(
    session: Session,
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: str,
    phone: str | None = None,
    locale: str = "es",
) -> User:
    """A checked, not yet added User (unverified): the fields and the password policy, then bcrypt. Without a
    password (an admin's invitation) the account has none until its invitation link sets one."""
    if role not in {r.value for r in Role}:
        raise Invalid(fields={"role": "must be one of patient, doctor, receptionist, admin"})
    if locale not in LOCALES:
        raise Invalid(fields={"locale": "must be one of es, en"})
    if not full_name.strip():
        raise Invalid(fields={"full_name": "must not be empty"})
    email = email.strip()
    if password is None:
        hashed = passwords.NO_PASSWORD
    else:
        passwords.validate(password, email=email, full_name=full_name, session=session)
        hashed = passwords.hash_password(password)
    return User(email=email, password_hash=hashed, full_name=full_name.strip(), role=role, phone=phone, locale=locale)


def authenticate(session: Session, *, email: str, password: str) -> User:
    user = find_by_email(session, email)
    if user is None:
        passwords.verify(password, passwords.DUMMY_HASH)
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    # No password yet (a walk-in who has not used their link): the same work and answer as a wrong one.
    if (
        not passwords.verify(password, user.password_hash or passwords.DUMMY_HASH)
        or user.password_hash is None
        or not user.is_active
    ):
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    return user


def update_profile(
    session: Session, *, user: User, full_name: str | None = None, phone: str | None = None, locale: str | None = None
) -> User:
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


def change_password(
    session: Session,
    *,
    user_id: int,
    current_password: str,
    new_password: str,
    keep_family: uuid.UUID | None,
    now: datetime,
) -> None:
    """The signed-in owner changes their password; every other sign-in of the account ends."""
    user = session.get(User, user_id)
    if user is None or user.password_hash is None or not passwords.verify(current_password, user.password_hash):
        raise Invalid(
            "The current password is not correct.", code="wrong_password", fields={"current_password": "is not correct"}
        )
    set_password(session, user=user, password=new_password, field="new_password", now=now, keep_family=keep_family)


def set_password(
    session: Session,
    *,
    user: User,
    password: str,
    now: datetime,
    field: str = "password",
    keep_family: uuid.UUID | None = None,
) -> None:
    """Store a new password (under the registration policy) and end every sign-in but `keep_family`."""
    passwords.validate(password, email=user.email, full_name=user.full_name, session=session, field=field)
    user.password_hash = passwords.hash_password(password)
    tokens.revoke_all(session, user_id=user.id, now=now, keep=keep_family)
    session.flush()


class OwnAccount(Conflict):
    code = "own_account"
    message = "You cannot change your own role or deactivate yourself; ask another admin."


class DoctorStillActive(Conflict):
    code = "doctor_still_active"
    message = (
        "This account is an active doctor's: deactivate the doctor first (their future appointments are "
        "cancelled and the patients told), then change the role."
    )


def update_user(session: Session, *, actor: Actor, user_id: int, changes: dict, now: datetime) -> User:
    """Admins: name, role and whether the account is active. Deactivating signs the account out everywhere
    at once; an admin may not change their own role or deactivate themselves (the system would lose its
    last way to undo it)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    changes = {k: v for k, v in changes.items() if v is not None}
    own_changes = {
        k for k, current in (("role", user.role), ("active", user.is_active)) if k in changes and changes[k] != current
    }
    if user.id == actor.user_id and own_changes:
        raise OwnAccount(fields={k: "cannot be changed on your own account" for k in sorted(own_changes)})
    if "full_name" in changes:
        if not changes["full_name"].strip():
            raise Invalid(fields={"full_name": "must not be empty"})
        user.full_name = changes["full_name"].strip()
    if "role" in changes:
        if changes["role"] not in {r.value for r in Role}:
            raise Invalid(fields={"role": "must be one of patient, doctor, receptionist, admin"})
        if user.role == "doctor" and changes["role"] != "doctor" and store.has_active_doctor(session, user.id):
            raise DoctorStillActive(
                fields={"role": "the doctor is still active"}, field_codes={"role": "doctor_still_active"}
            )
        user.role = changes["role"]
    if "active" in changes and changes["active"] != user.is_active:
        user.is_active = changes["active"]
        if not user.is_active:
            tokens.revoke_all(session, user_id=user.id, now=now)
    session.flush()
    return user
