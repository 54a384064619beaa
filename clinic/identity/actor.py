"""Who is acting: the minimum every service needs for object-level checks."""
from __future__ import annotations

from dataclasses import dataclass

from clinic.identity.models import STAFF_ROLES


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str

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
