"""Keeping the doctors' slots versions cheap to read: the scheduler's periodic fold.

A doctor's slots version is the sum of their `doctor_slot_changes` weights, one row added by a trigger per
committed change of their busy times (migration 0017; clinic/availability/cache.py says how the version
keeps the cache exact). Folding the rows into one per doctor keeps the sum unchanged and its read a few
index entries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.availability.store_versions import fold_slot_changes
from clinic.settings import Settings


def fold(session: Session, *, now: datetime, settings: Settings) -> int:
    """Fold each doctor's slot-change rows into one (every version unchanged); how many rows went."""
    return fold_slot_changes(session)
