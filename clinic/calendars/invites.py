"""iTIP invites (METHOD:REQUEST / METHOD:CANCEL) for one appointment.

Interface shared with the email workers; the calendar work owns the implementation.
"""
from __future__ import annotations

from sqlalchemy.orm import Session


def invite_for(session: Session, *, appointment_id: int, method: str) -> bytes:
    """The `invite.ics` for an appointment as it stands now; method is "REQUEST" or "CANCEL"."""
    raise NotImplementedError("calendar invites are being built")
