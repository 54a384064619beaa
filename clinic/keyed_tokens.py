"""Bearer tokens in links (password resets, manage links): HMAC(secret, context + data), base64url.

Each kind of link has its own context, so a token of one kind never verifies as another. The database
keeps only what cannot open anything without the secret (a nonce, or the token's keyed hash).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def mac(secret: str, context: bytes, data: bytes, *, size: int = 32) -> bytes:
    """HMAC-SHA256 of `data` under `secret`, domain-separated by `context`, cut to `size` bytes."""
    return hmac.new(secret.encode(), context + data, hashlib.sha256).digest()[:size]


def encode(raw: bytes) -> str:
    """URL-safe text without padding (a 16-byte value is 22 characters)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes | None:
    """The bytes of `encode`'s text; None for anything that is not such text."""
    if not text or len(text) > 64 or not text.isascii() or "=" in text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        return None
    return raw if encode(raw) == text else None
