"""Keyset paging cursors: an opaque token naming the last row of a page by its (moment, id) sort key.

A keyset cursor (rows strictly after this key) rather than an offset keeps pages stable while rows are
inserted or removed before the position: nothing is skipped or shown twice, whatever changes between pages.
The token is URL-safe base64 of `<UTC ISO moment>|<id>`; it grants nothing (the query still applies the
caller's scope), so it needs no signature, only strict parsing.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timezone

BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class Position:
    at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.at.astimezone(timezone.utc).isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> Position:
    """The position a token names; ValueError for anything this module did not write."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        moment, _, ident = raw.partition("|")
        at, row_id = datetime.fromisoformat(moment), int(ident)
    except (binascii.Error, UnicodeDecodeError, ValueError) as err:
        raise ValueError("is not a valid cursor") from err
    if at.tzinfo is None or not ident.isdigit() or not 1 <= row_id <= BIGINT_MAX:
        raise ValueError("is not a valid cursor")
    return Position(at, row_id)
