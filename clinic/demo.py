"""Demo data for `flask --app web seed-demo`."""
from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.identity import service as accounts

DEMO_PASSWORD = "Demo-Clinic-2026"


def seed(session: Session) -> list[str]:
    """Create the demo accounts (the scheduling issue extends this with clinics and appointments)."""
    logins = []
    for role, email, name in (("admin", "admin@demo.clinic", "Admin Demo"),
                              ("receptionist", "recepcion@demo.clinic", "Recepción Demo"),
                              ("patient", "paciente@demo.clinic", "Lucía Paciente")):
        if accounts.find_by_email(session, email) is None:
            accounts.create_user(session, email=email, password=DEMO_PASSWORD, full_name=name, role=role)
        logins.append(f"{role:<13} {email} / {DEMO_PASSWORD}")
    return logins
