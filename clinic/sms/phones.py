"""Phone numbers in E.164, checked with Google's libphonenumber (the `phonenumbers` port)."""

from __future__ import annotations

import phonenumbers

from clinic.errors import Invalid

WHATSAPP = "whatsapp:"


def to_e164(raw: str, *, field: str = "phone") -> str:
    """`+34 600 11 22 33` -> `+34600112233`; anything that is not a valid number with its country code is 422."""
    text = (raw or "").strip()
    if not text.startswith("+"):
        raise Invalid(
            "The phone number must start with + and the country code.",
            fields={field: "must be in international format, e.g. +34600112233"},
        )
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise Invalid("That is not a phone number.", fields={field: "is not a phone number"}) from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid("That phone number does not exist.", fields={field: "is not a valid phone number"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sender_number(value: str) -> str | None:
    """The E.164 number of a Twilio `From` (`+34…` or `whatsapp:+34…`), or None when it is not one."""
    text = (value or "").strip()
    if text.lower().startswith(WHATSAPP):
        text = text[len(WHATSAPP) :]
    try:
        return to_e164(text)
    except Invalid:
        return None


def address(phone: str, twilio_from: str) -> str:
    """The `To` for Twilio: the number, or `whatsapp:<number>` when the clinic sends from WhatsApp."""
    return WHATSAPP + phone if twilio_from.lower().startswith(WHATSAPP) else phone
