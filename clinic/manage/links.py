"""The manage link's URL, for whoever composes a message about an appointment (emails, SMS)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.manage import tokens
from clinic.settings import Settings


def manage_url(session: Session, *, appointment_id: int, channel: str, settings: Settings) -> str:
    """`PUBLIC_URL/a/<token>`: a new token for this appointment, sent by `channel` ("email" or "sms").

    Minted when the message is composed (a retry mints another; each dies at the appointment's end).
    The token's key is JWT_SECRET_KEY."""
    token = tokens.mint(session, appointment_id=appointment_id, channel=channel, secret=settings.jwt_secret_key)
    return f"{settings.public_url}/a/{token}"


def offer_url(session: Session, *, hold_id: int, channel: str, settings: Settings) -> str:
    """`PUBLIC_URL/a/<token>` that accepts this waitlist hold in one tap."""
    token = tokens.mint_offer(session, hold_id=hold_id, channel=channel, secret=settings.jwt_secret_key)
    return f"{settings.public_url}/a/{token}"
