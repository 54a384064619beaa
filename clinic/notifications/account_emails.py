"""What account emails say (password reset), in Spanish (default) or English."""
from __future__ import annotations

from clinic.notifications.content import Email, _html, locale_of

TEXTS = {
    "es": {
        "subject": "Restablece tu contraseña",
        "lead": "Hemos recibido una petición para restablecer la contraseña de tu cuenta.",
        "expiry": "El enlace sirve una sola vez y caduca en una hora.",
        "ignore": "Si no lo has pedido tú, ignora este mensaje: tu contraseña no cambia.",
        "greeting": "Hola, {name}:", "action": "Elige una contraseña nueva",
    },
    "en": {
        "subject": "Reset your password",
        "lead": "We received a request to reset the password of your account.",
        "expiry": "The link works once and expires in one hour.",
        "ignore": "If you did not ask for this, ignore this message: your password stays the same.",
        "greeting": "Hello {name},", "action": "Choose a new password",
    },
}


def password_reset_email(*, name: str, email: str, locale: str | None, link: str) -> Email:
    words = TEXTS[locale_of(locale)]
    lines = [words["greeting"].format(name=name), "", words["lead"], words["expiry"], words["ignore"]]
    text = "\n".join(lines + ["", f"{words['action']}: {link}"])
    return Email(to=email, subject=words["subject"], text=text, html=_html(lines, [(words["action"], link)]))
