"""Who is acting: the minimum every service needs for object-level checks, and what checking the
caller's account needs (clinic.identity.store turns it into SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from clinic.identity.models import STAFF_ROLES


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str
    # The signed-in caller's access token (`jti`) and sign-in (refresh-token family, `fam`): what the
    # account check looks up. None for actors that no token names (the system, services' own actors).
    token_id: str | None = None
    family_id: str | None = None
    # True: the account was not checked yet and `role` is the one the token names; the one statement the
    # caller's request runs (booking, the slots) checks it and reads or writes nothing unless it holds.
    check_in_statement: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_patient(self) -> bool:
        return self.role == "patient"

    @property
    def is_doctor(self) -> bool:
        return self.role == "doctor"

    @property
    def is_anonymous(self) -> bool:
        return self.role == "anonymous"


SYSTEM = Actor(user_id=0, role="system")
ANONYMOUS = Actor(user_id=0, role="anonymous")  # a caller without credentials, where browsing is public
