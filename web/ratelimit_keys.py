"""Rate-limit keys that name no one: a keyed hash of the client address or of the account's email.

Flask-Limiter writes each key into Redis and into its "ratelimit … (key) exceeded" log line; an email
address or a client IP there would be personal data in the logs. The hash is keyed (HMAC with the JWT
secret, domain-separated), so a key cannot be reversed by hashing guessed addresses.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from flask import current_app, request


def pseudonym(kind: str, subject: str) -> str:
    return keyed_pseudonym(current_app.config["JWT_SECRET_KEY"], kind, subject)


@lru_cache(maxsize=4096)  # the global limit asks for the client's key on every request
def keyed_pseudonym(secret: str, kind: str, subject: str) -> str:
    """`pseudonym` outside a request (the feed fast path answers before Flask)."""
    message = f"ratelimit:{kind}:{subject}".encode("utf-8")
    return f"{kind}:{hmac.new(secret.encode('utf-8'), message, hashlib.sha256).hexdigest()[:32]}"


def client_key() -> str:
    """Per client address (as web.client_address settled it)."""
    return pseudonym("ip", request.remote_addr or "")


def body_email() -> str | None:
    """The `email` of the JSON body, normalised (any case, spaces trimmed), or None."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return email.strip().lower() if isinstance(email, str) else None


def account_key() -> str:
    """Per account, by the body's `email`; per client without one."""
    email = body_email()
    return pseudonym("account", email) if email is not None else client_key()
