"""What account emails say (address verification, a sign-up attempt on a taken address, password reset),
in Spanish (default) or English."""

from __future__ import annotations

from clinic.notifications.content import Email, _html, in_language, locale_of

TEXTS = {
    "es": {
        "subject": "Restablece tu contraseña",
        "lead": "Hemos recibido una petición para restablecer la contraseña de tu cuenta.",
        "expiry": "El enlace sirve una sola vez y caduca en una hora.",
        "ignore": "Si no lo has pedido tú, ignora este mensaje: tu contraseña no cambia.",
        "greeting": "Hola, {name}:",
        "action": "Elige una contraseña nueva",
        "verify_email": (
            "Confirma tu correo electrónico",
            "Gracias por crear tu cuenta. Confirma que este correo es tuyo; el enlace caduca en "
            "{days} días. Si no has creado tú esta cuenta, ignora este mensaje.",
        ),
        "verify": "Confirmar mi correo",
        "signup_attempt": (
            "Alguien ha intentado crear una cuenta con tu correo",
            "Alguien (quizá tú) ha intentado crear una cuenta nueva con esta dirección, que ya "
            "tiene una. No hemos cambiado nada en tu cuenta. Si fuiste tú, inicia sesión; si no "
            "recuerdas la contraseña, puedes cambiarla. Si no fuiste tú, no tienes que hacer nada.",
        ),
        "sign_in": "Iniciar sesión",
        "reset": "Cambiar la contraseña",
        "set_password": (
            "Elige tu contraseña",
            "La clínica te ha dado de alta con este correo. Elige una contraseña para entrar y "
            "ver tus citas en línea. El enlace sirve una sola vez y caduca en 7 días; si no "
            "esperabas este mensaje, ignóralo.",
        ),
        "choose": "Elegir mi contraseña",
    },
    "en": {
        "subject": "Reset your password",
        "lead": "We received a request to reset the password of your account.",
        "expiry": "The link works once and expires in one hour.",
        "ignore": "If you did not ask for this, ignore this message: your password stays the same.",
        "greeting": "Hello {name},",
        "action": "Choose a new password",
        "verify_email": (
            "Confirm your email address",
            "Thank you for creating your account. Confirm that this address is yours; the link "
            "expires in {days} days. If you did not create this account, ignore this message.",
        ),
        "verify": "Confirm my email",
        "signup_attempt": (
            "Someone tried to create an account with your email",
            "Someone (perhaps you) tried to create a new account with this address, which already "
            "has one. Nothing in your account has changed. If it was you, sign in; if you do not "
            "remember the password, you can reset it. If it was not you, there is nothing to do.",
        ),
        "sign_in": "Sign in",
        "reset": "Reset the password",
        "set_password": (
            "Choose your password",
            "The clinic has given you an account with this address. Choose a password to sign in "
            "and see your appointments online. The link works once and expires in 7 days; if you "
            "did not expect this message, ignore it.",
        ),
        "choose": "Choose my password",
    },
}


def password_reset_email(*, name: str, email: str, locale: str | None, link: str) -> Email:
    link = in_language(link, locale)
    words = TEXTS[locale_of(locale)]
    lines = [words["greeting"].format(name=name), "", words["lead"], words["expiry"], words["ignore"]]
    text = "\n".join(lines + ["", f"{words['action']}: {link}"])
    return Email(to=email, subject=words["subject"], text=text, html=_html(lines, [(words["action"], link)]))


def set_password_email(*, name: str, email: str, locale: str | None, link: str) -> Email:
    """The first link of an account made without a password (a walk-in, an invited colleague)."""
    link = in_language(link, locale)
    words = TEXTS[locale_of(locale)]
    subject, lead = words["set_password"]
    lines = [words["greeting"].format(name=name), "", lead]
    text = "\n".join(lines + ["", f"{words['choose']}: {link}"])
    return Email(to=email, subject=subject, text=text, html=_html(lines, [(words["choose"], link)]))


def account_email(
    kind: str, *, name: str, to: str, locale: str | None, links: list[tuple[str, str]], days: int = 0
) -> Email:
    """`verify_email` (links: the verification link) or `signup_attempt` (sign-in and reset links);
    `links` are (label key, URL) pairs."""
    words = TEXTS[locale_of(locale)]
    subject, lead = words[kind]
    lines = [words["greeting"].format(name=name), "", lead.format(days=days)]
    actions = [(words[label], in_language(url, locale)) for label, url in links]
    text = "\n".join(lines + [""] + [f"{label}: {url}" for label, url in actions])
    return Email(to=to, subject=subject, text=text, html=_html(lines, actions))
