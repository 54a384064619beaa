"""Password policy and bcrypt hashing."""
from __future__ import annotations

import os

import bcrypt

from clinic.errors import Invalid

MIN_LENGTH = 8
MAX_BYTES = 72  # bcrypt ignores everything past 72 bytes; refuse rather than silently truncate
ROUNDS = int(os.environ.get("BCRYPT_ROUNDS", "12"))  # tests lower it; production keeps 12

# The most common passwords from public breach corpora (SecLists top lists), lower-cased.
COMMON = frozenset("""
123456 123456789 12345678 password qwerty123 qwerty 1234567890 1234567 111111 123123 abc123
password1 iloveyou 000000 qwertyuiop 123321 1q2w3e4r 654321 555555 lovely 7777777 888888 princess
dragon 123qwe 1q2w3e4r5t qwerty1 monkey football baseball welcome welcome1 sunshine master letmein
shadow superman trustno1 passw0rd password123 admin admin123 administrator login starwars
whatever charlie donald michael jennifer hunter2 hello123 freedom 1qaz2wsx zaq12wsx asdfghjkl
qazwsxedc 11111111 12341234 87654321 00000000 abcd1234 changeme contraseña contrasena
contraseña1 password! p@ssw0rd p@ssword secret123 football1 iloveyou1 12345678910 azerty
""".split())


def validate(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise Invalid(fields={field: f"must be at least {MIN_LENGTH} characters"})
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise Invalid(fields={field: f"must be at most {MAX_BYTES} bytes"})
    if password.lower() in COMMON:
        raise Invalid(fields={field: "is too common; choose another"})


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(ROUNDS)).decode("ascii")


def verify(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8")[:MAX_BYTES], hashed.encode("ascii"))
    except ValueError:
        return False


# Compared against when the email is unknown, so that a miss costs as much time as a hit.
DUMMY_HASH = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(ROUNDS)).decode("ascii")
