"""What the SMS say, in the patient's language (es default, en): reminders and answers to replies.

A reminder carries the date, time, clinic and manage link and fits two segments (306 GSM-7 characters):
it is always written in GSM-7, because a single UCS-2 character would cut a segment from 153 to 67
characters and the text would no longer fit. Accents that GSM-7 lacks are dropped (á -> a; ñ, é, ü stay),
characters of the clinic's name with no GSM-7 form are left out, and the name is shortened when it is too
long for the link to fit.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from clinic.sms import segments
from clinic.wallclock import hhmm

MAX_SEGMENTS = 2
DAYS = {
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

TEXTS = {
    "es": {
        "reminder": "{clinic}: recordatorio de tu cita el {when}. Responde SI para confirmar o NO para cancelar. "
        "Gestiona tu cita: {link}",
        "confirmed": "Gracias. Tu cita del {when} en {clinic} queda confirmada.",
        "cancelled": "Tu cita del {when} en {clinic} queda cancelada.",
        "cancelled_late": "Tu cita del {when} en {clinic} queda cancelada (cancelación tardía).",
        "too_late": "Ya no se puede cancelar la cita del {when} por SMS. Llama a {clinic}.",
        "none": "No tienes ninguna cita próxima.",
        "opted_out": "No te enviaremos más SMS de recordatorio. Puedes volver a activarlos en tu cuenta.",
        "help": "Responde SI para confirmar tu próxima cita, NO para cancelarla o BAJA para no recibir más SMS.",
    },
    "en": {
        "reminder": "{clinic}: reminder of your appointment on {when}. Reply YES to confirm or NO to cancel. "
        "Manage it: {link}",
        "confirmed": "Thank you. Your appointment on {when} at {clinic} is confirmed.",
        "cancelled": "Your appointment on {when} at {clinic} is cancelled.",
        "cancelled_late": "Your appointment on {when} at {clinic} is cancelled (late cancellation).",
        "too_late": "The appointment on {when} can no longer be cancelled by SMS. Please call {clinic}.",
        "none": "You have no upcoming appointments.",
        "opted_out": "You will get no more reminder texts. You can turn them on again in your account.",
        "help": "Reply YES to confirm your next appointment, NO to cancel it or STOP to get no more texts.",
    },
}


def locale_of(value: str | None) -> str:
    return value if value in TEXTS else "es"


def when(at: datetime, zone: str, locale: str) -> str:
    """`lun 14/12 a las 09:30` / `Mon 14 Dec at 09:30`, in the clinic's zone."""
    t = at.astimezone(ZoneInfo(zone))
    locale = locale_of(locale)
    if locale == "es":
        return f"{DAYS['es'][t.weekday()]} {t.day:02d}/{t.month:02d} a las {hhmm(t)}"
    return f"{DAYS['en'][t.weekday()]} {t.day} {MONTHS_EN[t.month - 1]} at {hhmm(t)}"


def reminder(*, locale: str, clinic: str, starts_at: datetime, zone: str, link: str) -> str:
    """The reminder text, at most two segments (the clinic's name shortened if it must be)."""
    locale = locale_of(locale)
    template = TEXTS[locale]["reminder"]
    name = " ".join("".join(c for c in segments.to_gsm(clinic) if segments.is_gsm(c)).split())
    name = name or {"es": "Clinica", "en": "Clinic"}[locale]
    while True:
        text = segments.to_gsm(template.format(clinic=name, when=when(starts_at, zone, locale), link=link))
        if segments.segments(text) <= MAX_SEGMENTS or len(name) <= 3:
            return text
        name = name[: max(3, len(name) - 5)].rstrip() if len(name) > 8 else name[:3]


def answer(kind: str, *, locale: str, clinic: str = "", starts_at: datetime | None = None, zone: str = "UTC") -> str:
    """The text answering a reply (sent back as TwiML)."""
    locale = locale_of(locale)
    moment = when(starts_at, zone, locale) if starts_at is not None else ""
    return segments.to_gsm(TEXTS[locale][kind].format(when=moment, clinic=clinic))
