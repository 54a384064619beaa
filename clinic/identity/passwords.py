"""Password policy and bcrypt hashing.

`validate` is the one policy every way of choosing a password goes through (sign-up, staff-created
accounts, the CLI, password change and reset). Besides length it asks a strength estimator (zxcvbn,
Dropbox's, with a top-100,000 list of real passwords added to its dictionaries) how many guesses the
password would take, counting the person's own data (email, its local part, name) and the clinics'
names as known words: a password an attacker who knows those could guess in under 10^8 tries is
refused. A refusal carries a stable code per field and a message in Spanish and English.
"""

from __future__ import annotations

import gzip
import os
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import bcrypt
from sqlalchemy.orm import Session

from clinic.errors import Invalid
from clinic.identity import store

MIN_LENGTH = 8
MAX_BYTES = 72  # bcrypt ignores everything past 72 bytes; refuse rather than silently truncate
ROUNDS = int(os.environ.get("BCRYPT_ROUNDS", "12"))  # tests lower it; production keeps 12
# zxcvbn's score 3: "safely unguessable: moderate protection from an offline slow-hash scenario".
MIN_GUESSES = 10**8
# A password made of the person's own words needs at least this many other letters or digits.
MIN_PERSONAL_REST = 4

COMMON_FILE = Path(__file__).with_name("data") / "common-passwords-100k.txt.gz"
# Words of this service and its language that no list of leaked passwords ranks high enough.
SITE_WORDS = (
    "clinica",
    "clínica",
    "clinic",
    "cita",
    "citas",
    "medico",
    "médico",
    "doctor",
    "salud",
    "paciente",
    "patient",
    "contraseña",
    "contrasena",
    "password",
    "hospital",
    "consulta",
)
# Spanish passwords seen in breach corpora that the English-heavy lists rank low or lack.
LOCAL_COMMON = (
    "contraseña",
    "contrasena",
    "contraseña1",
    "teamo",
    "tequiero",
    "micontraseña",
    "españa",
    "barcelona",
    "madrid",
    "realmadrid",
    "qwerty123",
    "1q2w3e4r",
)

REASONS = ("too_short", "too_long", "too_common", "too_personal", "too_weak")
MESSAGES = {
    "too_short": {
        "es": f"La contraseña debe tener al menos {MIN_LENGTH} caracteres.",
        "en": f"The password must have at least {MIN_LENGTH} characters.",
    },
    "too_long": {
        "es": f"La contraseña no puede pasar de {MAX_BYTES} bytes (unos {MAX_BYTES} caracteres sin tildes).",
        "en": f"The password must be at most {MAX_BYTES} bytes long.",
    },
    "too_common": {
        "es": "Esa contraseña es de las más usadas y se adivina enseguida. Elige otra.",
        "en": "That password is one of the most used and is guessed at once. Choose another.",
    },
    "too_personal": {
        "es": "La contraseña contiene tu correo, tu nombre o el de la clínica. Elige otra.",
        "en": "The password contains your email, your name or the clinic's. Choose another.",
    },
    "too_weak": {
        "es": "La contraseña es demasiado fácil de adivinar. Usa una frase de varias palabras "
        "poco habituales o añade más caracteres.",
        "en": "The password is too easy to guess. Use a phrase of several uncommon words or add more characters.",
    },
}

_WORD = re.compile(r"[^\W_]{3,}")


class WeakPassword(Invalid):
    """A password the policy refuses; `reason` is one of REASONS (also the value of `fields[field]`)."""

    code = "weak_password"

    def __init__(self, reason: str, *, field: str = "password") -> None:
        super().__init__(MESSAGES[reason]["en"], fields={field: reason}, translations=MESSAGES[reason])
        self.reason = reason


def validate(
    password: str,
    *,
    email: str | None = None,
    full_name: str | None = None,
    clinic_names: Iterable[str] | None = None,
    session: Session | None = None,
    field: str = "password",
) -> None:
    """Raise WeakPassword unless `password` may be used by the account described by the keywords.

    Pass what is known of the account: `email`, `full_name`, and either `clinic_names` or a `session`
    to read them from (every clinic's name; a patient belongs to no one clinic). `field` names the
    request field the refusal points at (e.g. "new_password").
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword("too_short", field=field)
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise WeakPassword("too_long", field=field)
    lowered = password.lower()
    if lowered in _common():
        raise WeakPassword("too_common", field=field)
    if clinic_names is None and session is not None:
        clinic_names = store.clinic_names(session)
    personal = _personal_words(email, full_name, clinic_names or ())
    if email and lowered == email.strip().lower():
        raise WeakPassword("too_personal", field=field)
    guesses, matched = _estimate(password, personal)
    if guesses < MIN_GUESSES:
        raise WeakPassword("too_personal" if "user_inputs" in matched else "too_weak", field=field)


def _personal_words(email: str | None, full_name: str | None, clinic_names: Iterable[str]) -> list[str]:
    """The person's and the clinics' words as the estimator's `user_inputs`: each whole value, the
    email's local part and domain name, and every word of three or more letters or digits."""
    values = [v.strip().lower() for v in (email, full_name, *clinic_names) if v and v.strip()]
    if email and "@" in email:
        local, _, domain = email.strip().lower().rpartition("@")
        values += [local, domain.split(".")[0]]
    values += [v.replace(" ", "") for v in values]
    values += [_unaccented(v) for v in values]
    words = [w for v in values for w in _WORD.findall(v)]
    return list(dict.fromkeys(values + words))


def _unaccented(value: str) -> str:
    """`lópez` -> `lopez`: people drop the accents of their names in passwords."""
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def _estimate(password: str, personal: list[str]) -> tuple[float, set[str]]:
    """zxcvbn's guess count for `password`, and the names of the dictionaries its weakest reading used.

    `zxcvbn.zxcvbn()` stores each call's user inputs in a module-level dict shared by all threads; this
    passes a per-call copy instead, so concurrent requests never see each other's personal words.
    """
    from zxcvbn import matching, scoring  # imported on first use: its lists cost 0.1 s and 14 MB per process

    dictionaries = {**_dictionaries(), "user_inputs": matching.build_ranked_dict(personal)}
    matches = matching.omnimatch(password, dictionaries)
    result = scoring.most_guessable_match_sequence(password, matches)
    used = {m.get("dictionary_name") for m in result["sequence"] if m.get("pattern") == "dictionary"}
    if _mostly_personal(password, matches):
        return 0.0, used | {"user_inputs"}
    return float(result["guesses"]), used


def _mostly_personal(password: str, matches: list[dict]) -> bool:
    """Whether the person's words (as typed, reversed or in l33t) leave fewer than MIN_PERSONAL_REST
    other letters or digits: zxcvbn adds a large penalty per extra piece, so `Paula-Ortega` alone would pass."""
    covered = set()
    for m in matches:
        if m.get("dictionary_name") == "user_inputs":
            covered |= set(range(m["i"], m["j"] + 1))
    rest = [c for i, c in enumerate(password) if i not in covered and c.isalnum()]
    return bool(covered) and len(rest) < MIN_PERSONAL_REST


@cache
def _common_list() -> tuple[str, ...]:
    with gzip.open(COMMON_FILE, "rt", encoding="utf-8") as f:
        return tuple(line.rstrip("\n") for line in f if line.strip())


@cache
def _common() -> frozenset[str]:
    return frozenset(p.lower() for p in _common_list()) | frozenset(LOCAL_COMMON)


@cache
def _dictionaries() -> dict[str, dict[str, int]]:
    """zxcvbn's own ranked lists plus ours (built once per process, on first use)."""
    from zxcvbn import matching

    ranked = dict(matching.RANKED_DICTIONARIES)
    ranked.pop("user_inputs", None)
    ranked["common_passwords"] = matching.build_ranked_dict(dict.fromkeys(p.lower() for p in _common_list()))
    ranked["local_common"] = matching.build_ranked_dict(LOCAL_COMMON)
    ranked["site_words"] = matching.build_ranked_dict(dict.fromkeys(SITE_WORDS + tuple(map(_unaccented, SITE_WORDS))))
    return ranked


NO_PASSWORD = "!invited"  # never a bcrypt hash: no password matches it until an invitation link sets one


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(ROUNDS)).decode("ascii")


def verify(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8")[:MAX_BYTES], hashed.encode("ascii"))
    except ValueError:
        return False


# Compared against when the email is unknown, so that a miss costs as much time as a hit.
DUMMY_HASH = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(ROUNDS)).decode("ascii")
