"""POST /api/users and POST /api/doctors without a password invite the new user (an outbox message whose
email carries a 7-day link); with one, nothing is sent, as before."""

from __future__ import annotations

from sqlalchemy import select

from clinic.identity.models import PasswordReset, User
from clinic.outbox.models import OutboxMessage
from tests.conftest import PASSWORD
from tests.scheduling.factories import make_doctor


def _invitations(db) -> list[dict]:
    return [m.payload for m in db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "account.invited"))]


def test_admin_invites_a_user_and_a_doctor(api, db, make_user, token_for):
    admin = token_for(make_user("admin"))
    r = api.post(
        "/api/users",
        admin,
        json={"email": "nueva@example.com", "full_name": "Nueva Recepción", "role": "receptionist", "locale": "en"},
    )
    assert r.status_code == 201, r.get_json()
    user = r.get_json()
    assert user["role"] == "receptionist" and user["locale"] == "en"
    [payload] = _invitations(db)
    assert payload["user_id"] == user["id"]
    assert db.get(PasswordReset, payload["reset_id"]).user_id == user["id"]
    assert api.post("/api/auth/login", json={"email": "nueva@example.com", "password": "!invited"}).status_code == 401
    setup = make_doctor(db)
    r = api.post(
        "/api/doctors",
        admin,
        json={
            "email": "dra.nueva@example.com",
            "full_name": "Dra. Nueva",
            "specialty": "Pediatría",
            "clinic_id": setup.clinic_id,
            "service_ids": [setup.service_id],
        },
    )
    assert r.status_code == 201, r.get_json()
    assert [p["user_id"] for p in _invitations(db)] == [user["id"], r.get_json()["user_id"]]
    # With a password: no invitation; a taken address: 409; a weak password still refused.
    r = api.post(
        "/api/users",
        admin,
        json={"email": "con.clave@example.com", "full_name": "Con Clave", "role": "admin", "password": PASSWORD},
    )
    assert r.status_code == 201 and len(_invitations(db)) == 2
    r = api.post("/api/users", admin, json={"email": "nueva@example.com", "full_name": "X", "role": "patient"})
    assert r.status_code == 409 and len(_invitations(db)) == 2
    r = api.post(
        "/api/users",
        admin,
        json={"email": "weak@example.com", "full_name": "W", "role": "patient", "password": "password"},
    )
    assert r.status_code == 422
    assert db.scalar(select(User).where(User.email == "weak@example.com")) is None
    # Only admins.
    receptionist = token_for(make_user("receptionist"))
    assert (
        api.post(
            "/api/users", receptionist, json={"email": "x@example.com", "full_name": "X", "role": "patient"}
        ).status_code
        == 403
    )
