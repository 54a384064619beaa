"""Throttling password guesses without handing anyone a lever to lock the owner out.

Sign-in attempts are limited (RATELIMIT_AUTH, e.g. 10 a minute) per client address, and *failed* ones
per account. The per-account count is kept apart for the owner's own devices: a successful sign-in (or a
password reset) leaves a *device cookie* on that browser, an HMAC binding a random device id to the
account's email. A sign-in that presents a device cookie valid for the email it names counts its failures
against that device alone; every other attempt on the account shares one bucket.

Why this and not a per-account limit alone, or per account and address: failures from anywhere else (a
botnet with thousands of addresses) fill only the shared bucket, so they can keep strangers out of the
account but never the owner's usual device; an attacker cannot get into the owner's bucket without a
cookie only a correct password (or the reset link) yields; and guesses stay capped at the same rate from
all unknown devices together, which per-address keys would not do. A person on a new device while the
account is under attack still has the reset link (not behind this throttle), which also marks that
device as theirs. Keys carry a hash of the email, never the address (the limiter logs its keys).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from flask import Response, current_app, request

from web.ratelimit_keys import body_email, client_key, pseudonym

COOKIE = "login_device"
COOKIE_PATH = "/api/auth/"
MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetimes at 400 days
_CONTEXT = b"clinic login device v1\x00"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _mac(device_id: str, email: str) -> str:
    secret = current_app.config["JWT_SECRET_KEY"].encode()
    return _b64(hmac.new(secret, _CONTEXT + device_id.encode() + b"\x00" + email.encode(), hashlib.sha256).digest())


def _normal(email: str) -> str:
    return email.strip().lower()


def remember_device(response: Response, email: str) -> None:
    """Mark this browser as one of the account's own devices."""
    device_id = _b64(os.urandom(16))
    response.set_cookie(
        COOKIE,
        f"{device_id}.{_mac(device_id, _normal(email))}",
        max_age=MAX_AGE,
        path=COOKIE_PATH,
        secure=current_app.config["JWT_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _device_of(email: str) -> str | None:
    """The device id of a cookie valid for this email, if the request has one."""
    device_id, _, mac = request.cookies.get(COOKIE, "").partition(".")
    if device_id and mac and hmac.compare_digest(mac, _mac(device_id, email)):
        return device_id
    return None


def account_key() -> str:
    """The bucket a sign-in attempt's failure counts against: its device's, or the account's shared one."""
    email = body_email()
    if email is None:
        return client_key()
    device = _device_of(email)
    if device is not None:
        return pseudonym("login-device", device)
    return pseudonym("login-account", email)


def failed(response: Response) -> bool:
    """Only wrong credentials count against an account."""
    return response.status_code == 401
