"""Manage-link tokens: 128 random bits in the link, only their keyed hash in the database.

The scheme is the password-reset links' (clinic.identity.resets, through clinic.keyed_tokens): an HMAC under
the processes' secret with a context of its own. Here the random part is the token itself (22 characters, short
enough for an SMS), and the row keeps HMAC(secret, token): a database dump alone can neither open a link nor
test guesses. A token is bound to one appointment (or one waitlist hold) and dies with it: at the
appointment's current end (or the hold's expiry, or once the hold is used or released).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from clinic import keyed_tokens
from clinic.appointments.models import Appointment
from clinic.clock import utcnow
from clinic.errors import NotFound
from clinic.manage import store
from clinic.manage.models import CHANNELS, ManageLink
from clinic.waitlist.models import SlotHold

TOKEN_BYTES = 16  # 128 bits
_CONTEXT = b"clinic manage link v1\x00"


@dataclass(frozen=True)
class Resolved:
    """A live link: what it opens and through which channel it was sent."""

    link_id: int
    channel: str
    appointment: Appointment | None = None
    hold: SlotHold | None = None


def _hash(secret: str, raw: bytes) -> bytes:
    return keyed_tokens.mac(secret, _CONTEXT, raw)


def _new(
    session: Session,
    *,
    secret: str,
    channel: str,
    expires_at: datetime,
    appointment_id: int | None = None,
    hold_id: int | None = None,
) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}, got {channel!r}")
    raw = os.urandom(TOKEN_BYTES)
    session.add(
        ManageLink(
            token_hash=_hash(secret, raw),
            appointment_id=appointment_id,
            hold_id=hold_id,
            channel=channel,
            expires_at=expires_at,
        )
    )
    session.flush()
    return keyed_tokens.encode(raw)


def mint(session: Session, *, appointment_id: int, channel: str, secret: str) -> str:
    """A new token for this appointment, sent by `channel` ("email" or "sms"); it dies at the appointment's end."""
    ends_at = store.appointment_end(session, appointment_id=appointment_id)
    if ends_at is None:
        raise NotFound("No such appointment.")
    return _new(session, secret=secret, channel=channel, expires_at=ends_at, appointment_id=appointment_id)


def mint_offer(session: Session, *, hold_id: int, channel: str, secret: str) -> str:
    """A new token that accepts this waitlist hold (its patient books the held slot); it dies with the hold."""
    expires_at = store.hold_expiry(session, hold_id=hold_id)
    if expires_at is None:
        raise NotFound("No such offer.")
    return _new(session, secret=secret, channel=channel, expires_at=expires_at, hold_id=hold_id)


def _link(session: Session, token: str, secret: str) -> ManageLink | None:
    raw = keyed_tokens.decode(token)
    if raw is None or len(raw) != TOKEN_BYTES:
        return None  # not a token's shape: no database work
    return store.link_by_hash(session, token_hash=_hash(secret, raw))


def lookup(
    session: Session, token: str, *, secret: str, now: datetime | None = None, for_update: bool = False
) -> Resolved | None:
    """What a live token opens (an appointment, or a waitlist hold); None for anything else: not a token,
    unknown, an appointment that has ended, a hold that is over."""
    now = now or utcnow()
    link = _link(session, token, secret)
    if link is None:
        return None
    if link.appointment_id is not None:
        appointment = store.appointment(session, appointment_id=link.appointment_id, for_update=for_update)
        if appointment is None or appointment.ends_at <= now:
            return None
        return Resolved(link_id=link.id, channel=link.channel, appointment=appointment)
    hold = store.hold(session, hold_id=link.hold_id, for_update=for_update)
    if hold is None or hold.status != "active" or hold.expires_at <= now:
        return None
    return Resolved(link_id=link.id, channel=link.channel, hold=hold)


def resolve(
    session: Session, token: str, *, secret: str, now: datetime | None = None, for_update: bool = False
) -> Resolved | None:
    """The appointment a live appointment token opens; None for any other token (unknown, expired, an offer's)."""
    found = lookup(session, token, secret=secret, now=now, for_update=for_update)
    return found if found is not None and found.appointment is not None else None


def resolve_offer(
    session: Session, token: str, *, secret: str, now: datetime | None = None, for_update: bool = False
) -> Resolved | None:
    """The live waitlist hold an offer token accepts; None for any other token or a hold that is over."""
    found = lookup(session, token, secret=secret, now=now, for_update=for_update)
    return found if found is not None and found.hold is not None else None
