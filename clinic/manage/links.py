"""The link in every email and SMS about an appointment.

PROVISIONAL: replaced by the manage-link branch at merge (which returns PUBLIC_URL/a/<token>, a token of
22–27 characters; the SMS texts are sized for that length).
"""
from __future__ import annotations

import os

from sqlalchemy.orm import Session


def manage_url(session: Session, *, appointment_id: int, channel: str) -> str:
    """The address that opens this appointment (PROVISIONAL: the signed-in appointment page)."""
    public_url = (os.environ.get("PUBLIC_URL") or os.environ.get("FRONTEND_ORIGIN") or "").rstrip("/")
    return f"{public_url}/appointments/{appointment_id}"
