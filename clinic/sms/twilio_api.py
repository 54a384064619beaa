"""Sending one message through Twilio's REST API (POST /2010-04-01/Accounts/{sid}/Messages.json,
form-encoded To, From, Body, HTTP Basic auth sid:token) at TWILIO_API_URL.

Twilio has no idempotency key, so every failure is sorted by whether Twilio may have accepted the message:
- `NotSent`: it certainly did not (no connection, or an answer saying so: 429, or 503 before accepting);
  sending again later cannot duplicate it.
- `Refused`: Twilio answered 4xx (a bad or unsubscribed number, bad credentials): it never will.
- `Unknown`: the request may have reached Twilio and been accepted (a timeout after sending, a dropped
  connection, another 5xx). Sending again might text the patient twice.
"""

from __future__ import annotations

import requests


class SmsError(Exception):
    pass


class NotSent(SmsError):
    """Certainly not accepted: safe to retry."""


class Refused(SmsError):
    """Twilio refused it; retrying would repeat the refusal."""


class Unknown(SmsError):
    """Maybe accepted: retrying could send it twice."""


class TwilioApi:
    def __init__(self, *, account_sid: str, auth_token: str, api_url: str, timeout: float = 20.0):
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = (account_sid, auth_token)
        self.timeout = timeout
        self.http = requests.Session()

    def send(self, *, to: str, from_: str, body: str) -> str:
        """Send; returns Twilio's message SID."""
        try:
            response = self.http.post(
                self.url, data={"To": to, "From": from_, "Body": body}, auth=self.auth, timeout=(5.0, self.timeout)
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise NotSent(f"could not connect: {type(exc).__name__}") from None
        except requests.exceptions.ConnectionError as exc:
            # Refused or unreachable before a byte was sent is safe; a reset after sending is not. requests
            # does not tell them apart reliably except for the connect phase above and NewConnectionError.
            if "NewConnectionError" in repr(exc) or "Connection refused" in repr(exc):
                raise NotSent("could not connect") from None
            raise Unknown(f"connection lost: {type(exc).__name__}") from None
        except requests.exceptions.RequestException as exc:  # a read timeout: Twilio may have accepted it
            raise Unknown(f"no answer: {type(exc).__name__}") from None
        status = response.status_code
        if status in (200, 201):
            try:
                return str(response.json()["sid"])
            except (ValueError, KeyError, TypeError):
                raise Unknown("accepted without a message SID") from None
        if status == 429:
            raise NotSent("rate limited (429)")
        if 400 <= status < 500:
            raise Refused(f"refused ({status}): {_twilio_error(response)}")
        raise Unknown(f"server error ({status})")


def _twilio_error(response: requests.Response) -> str:
    """Twilio's error code only: its message may quote the phone number, which must not reach logs or rows."""
    try:
        return f"Twilio error {int(response.json().get('code'))}"
    except (ValueError, TypeError, AttributeError):
        return "no Twilio error code"
