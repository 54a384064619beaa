"""POST /api/patients: walk-in patients registered by the front desk (through the app, real PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from clinic.clock import utcnow
from clinic.identity import resets, signup
from tests.conftest import PASSWORD

SECRET = "test-secret-" + "x" * 32


def _outbox(db, user_id: int) -> list[tuple[str, dict]]:
    return [
        (r.topic, r.payload)
        for r in db.execute(
            text("SELECT topic, payload FROM outbox WHERE (payload->>'user_id')::bigint = :u ORDER BY id"),
            {"u": user_id},
        )
    ]


@pytest.mark.parametrize("role", ["receptionist", "admin"])
def test_staff_register_a_walk_in_without_email_who_can_be_booked_but_never_signs_in(
    api, make_user, token_for, db, role
):
    desk = token_for(make_user(role))
    name = f"Lucía Paseo {uuid.uuid4().hex[:6]}"
    answer = api.post(
        "/api/patients", desk, json={"full_name": name, "phone": "+34 600 000 000", "birth_date": "1961-05-04"}
    )
    assert answer.status_code == 201, answer.get_json()
    patient = answer.get_json()
    assert patient["role"] == "patient" and patient["email"] is None and patient["full_name"] == name
    assert patient["birth_date"] == "1961-05-04" and patient["has_password"] is False
    row = db.execute(text("SELECT email, password_hash FROM users WHERE id = :i"), {"i": patient["id"]}).one()
    assert row == (None, None)
    assert _outbox(db, patient["id"]) == []  # nothing to send to
    # The desk finds them to book for them.
    found = api.get(f"/api/users?role=patient&q={name[:10]}", desk).get_json()["items"]
    assert [u["id"] for u in found] == [patient["id"]] and found[0]["email"] is None


def test_with_an_email_the_walk_in_gets_a_set_password_link_that_works_once(api, make_user, token_for, db):
    desk = token_for(make_user("receptionist"))
    email = f"walkin-{uuid.uuid4().hex[:8]}@example.com"
    answer = api.post("/api/patients", desk, json={"full_name": "Pablo Paseo", "email": email, "locale": "en"})
    assert answer.status_code == 201, answer.get_json()
    patient = answer.get_json()
    assert patient["email"] == email and patient["locale"] == "en" and patient["has_password"] is False
    [(topic, payload)] = _outbox(db, patient["id"])
    assert topic == "account.invited" and payload["user_id"] == patient["id"]
    # No password yet: signing in fails exactly like a wrong password.
    refused = api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_credentials"
    # The link (as the email worker renders it) sets the password; then they sign in and see their list.
    user, link = resets.link_for(
        db, reset_id=payload["reset_id"], secret=SECRET, public_url="https://c.example", now=utcnow()
    )
    token = link.split("token=")[1]
    assert (
        api.post(
            "/api/auth/password-reset/confirm", json={"token": token, "password": "Otra-Clave-Segura-42"}
        ).status_code
        == 204
    )
    assert (
        api.post(
            "/api/auth/password-reset/confirm", json={"token": token, "password": "Otra-Clave-Segura-43"}
        ).status_code
        == 400
    )  # single use
    session = api.login(email, "Otra-Clave-Segura-42")
    assert api.get("/api/appointments", session["access_token"]).status_code == 200
    expires = db.execute(
        text("SELECT expires_at - created_at FROM password_resets WHERE id = :i"), {"i": payload["reset_id"]}
    ).scalar_one()
    assert expires.days == 7


def test_a_registered_email_is_refused_and_the_account_left_untouched(api, make_user, token_for, db):
    desk = token_for(make_user("receptionist"))
    owner = make_user("patient")
    before = db.execute(text("SELECT password_hash, full_name FROM users WHERE id = :i"), {"i": owner.id}).one()
    answer = api.post("/api/patients", desk, json={"full_name": "Impostor", "email": owner.email.upper()})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "email_taken" and "email" in answer.get_json()["error"]["fields"]
    after = db.execute(text("SELECT password_hash, full_name FROM users WHERE id = :i"), {"i": owner.id}).one()
    assert after == before
    assert db.execute(text("SELECT count(*) FROM users WHERE full_name = 'Impostor'")).scalar_one() == 0
    assert (
        db.execute(text("SELECT count(*) FROM password_resets WHERE user_id = :i"), {"i": owner.id}).scalar_one() == 0
    )
    assert api.login(owner.email)["user"]["id"] == owner.id  # the owner still signs in as before


def test_an_address_only_a_shadow_account_has_is_free(api, make_user, token_for, db):
    """Shadows (sign-ups with a taken address) are never found by it: once the owner moved away from the
    address, a walk-in may have it and is the one found by it."""
    desk = token_for(make_user("receptionist"))
    owner = make_user("patient")
    shadow = signup.register(
        db,
        email=owner.email,
        password="Clave-Sombra-Larga-77",
        full_name="Sombra",
        phone=None,
        locale="es",
        now=utcnow(),
    )
    assert shadow.shadow
    db.execute(text("UPDATE users SET email = :e WHERE id = :i"), {"e": f"moved-{owner.email}", "i": owner.id})
    answer = api.post("/api/patients", desk, json={"full_name": "Nueva Dueña", "email": owner.email})
    assert answer.status_code == 201, answer.get_json()
    assert (
        db.execute(
            text("SELECT id FROM users WHERE lower(email) = lower(:e) AND NOT shadow"), {"e": owner.email}
        ).scalar_one()
        == answer.get_json()["id"]
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "full_name"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "Ana\nB"}, "full_name"),
        ({"full_name": "Ana", "email": "not-an-email"}, "email"),
        ({"full_name": "Ana", "birth_date": "1961-13-01"}, "birth_date"),
        ({"full_name": "Ana", "birth_date": "2999-01-01"}, "birth_date"),
        ({"full_name": "Ana", "phone": "1\r2"}, "phone"),
        ({"full_name": "Ana", "password": "x"}, "password"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, make_user, token_for, body, field):
    desk = token_for(make_user("receptionist"))
    answer = api.post("/api/patients", desk, json=body)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["error"]["fields"], answer.get_json()


@pytest.mark.parametrize("role", ["patient", "doctor"])
def test_only_staff_register_walk_ins(api, make_user, token_for, role):
    assert api.post("/api/patients", token_for(make_user(role)), json={"full_name": "Ana"}).status_code == 403
    assert api.post("/api/patients", json={"full_name": "Ana"}).status_code == 401


def test_the_desk_finds_patients_without_accents_and_by_phone(api, make_user, token_for):
    desk = token_for(make_user("receptionist"))
    tag = uuid.uuid4().hex[:6]
    ana = api.post("/api/patients", desk, json={"full_name": f"Ana Pérez Núñez {tag}", "phone": "+34 611 22 33 44"})
    assert ana.status_code == 201, ana.get_json()

    def found(q: str) -> list[int]:
        answer = api.get("/api/users", desk, query_string={"role": "patient", "q": q})
        return [u["id"] for u in answer.get_json()["items"]]

    assert ana.get_json()["id"] in found(f"perez nunez {tag}")  # typed without accents
    assert ana.get_json()["id"] in found(f"PÉREZ NÚÑEZ {tag}")
    assert found("611 22 33 44") == [ana.get_json()["id"]]  # by phone, as written on a card
    assert found("611223344") == [ana.get_json()["id"]]
