"""Sign-up does not tell whether an address has an account; addresses are verified by an emailed link."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import select, text

from clinic.clock import utcnow
from clinic.identity import signup
from clinic.identity.models import EmailVerification, User

OTHER_PASSWORD = "Lagarto-Verde-77"


def register(api, email: str, password: str = OTHER_PASSWORD, **extra):
    return api.post(
        "/api/auth/register",
        json={"email": email, "password": password, "full_name": "Eva Intrusa", "locale": "es", **extra},
    )


def outbox(db, topic: str) -> list[dict]:
    return [row[0] for row in db.execute(text("SELECT payload FROM outbox WHERE topic = :t ORDER BY id"), {"t": topic})]


def shape(body: dict) -> tuple:
    return (
        tuple(sorted(body)),
        tuple(sorted(body["user"])),
        tuple(sorted((k, type(v).__name__) for k, v in body["user"].items())),
    )


def test_a_taken_address_gets_the_same_answer_as_a_new_one(api, db, make_user):
    owner = make_user(email="owner@example.com", full_name="Olga Dueña")
    fresh, taken = register(api, "fresh@example.com"), register(api, "OWNER@example.com")
    assert fresh.status_code == taken.status_code == 201
    assert shape(fresh.get_json()) == shape(taken.get_json())
    f, t = fresh.get_json()["user"], taken.get_json()["user"]
    assert (f["role"], f["email_verified"], f["full_name"]) == (t["role"], t["email_verified"], t["full_name"])
    assert t["email"] == "OWNER@example.com" and t["id"] != owner.id
    # The answer's tokens work like any new account's, and reach only the new, separate account.
    for body in (fresh.get_json(), taken.get_json()):
        me = api.get("/api/me", body["access_token"])
        assert me.status_code == 200 and me.get_json()["full_name"] == "Eva Intrusa"
        assert me.get_json()["email_verified"] is False
        assert api.post("/api/auth/refresh", body["refresh_token"]).status_code == 200


def test_a_taken_address_s_owner_keeps_their_account_and_is_told(api, db, make_user):
    owner = make_user(email="owner@example.com")
    body = register(api, "owner@example.com").get_json()
    # The owner still signs in with their password, to their own account; the intruder's password opens nothing.
    assert api.login("owner@example.com")["user"]["id"] == owner.id
    assert (
        api.post("/api/auth/login", json={"email": "owner@example.com", "password": OTHER_PASSWORD}).status_code == 401
    )
    shadow = db.get(User, body["user"]["id"])
    assert shadow.shadow and shadow.email_verified_at is None and owner.email_verified_at is not None
    # The owner gets the "someone tried" notice, nobody a verification link.
    assert outbox(db, "account.signup_attempted") == [{"user_id": owner.id, "day": utcnow().date().isoformat()}]
    assert outbox(db, "account.registered") == []


def test_a_new_address_is_sent_a_verification_link(api, db):
    body = register(api, "fresh@example.com").get_json()
    assert outbox(db, "account.registered") == [{"user_id": body["user"]["id"]}]
    assert outbox(db, "account.signup_attempted") == []


def test_sign_up_takes_about_as_long_for_taken_and_new_addresses(api, make_user):
    make_user(email="owner@example.com")
    times = {"new": [], "taken": []}
    for i in range(7):
        for kind, email in (("new", f"n{i}@example.com"), ("taken", "owner@example.com")):
            started = time.perf_counter()
            assert register(api, email).status_code == 201
            times[kind].append(time.perf_counter() - started)
    ratio = statistics.median(times["taken"]) / statistics.median(times["new"])
    assert 0.2 < ratio < 5, times  # the same work; well within an order of magnitude


def test_the_verification_link_verifies_once(api, db):
    user_id = register(api, "fresh@example.com").get_json()["user"]["id"]
    token = signup.issue_link_token(db, user_id=user_id, email="fresh@example.com", now=utcnow())
    assert db.scalar(select(EmailVerification.token_hash)) != token.encode()  # only the hash is stored
    assert api.post("/api/auth/verify-email", json={"token": token}).status_code == 204
    db.expire_all()
    assert db.get(User, user_id).email_verified_at is not None
    again = api.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "invalid_verification_token"
    bad = api.post("/api/auth/verify-email", json={"token": "nope"}, headers={"Accept-Language": "en"})
    assert bad.status_code == 400 and "verification link" in bad.get_json()["error"]["message"]


def test_a_shadow_can_never_be_verified(api, db, make_user):
    make_user(email="owner@example.com")
    shadow_id = register(api, "owner@example.com").get_json()["user"]["id"]
    token = signup.issue_link_token(db, user_id=shadow_id, email="owner@example.com", now=utcnow())
    assert api.post("/api/auth/verify-email", json={"token": token}).status_code == 400


def test_accounts_made_by_staff_count_as_verified(api, make_user):
    assert make_user("patient").email_verified is True


def test_verification_marks_the_address_verified_once(api, db):
    """The emailed token verifies the address (seen in /api/me) and works once."""
    body = register(api, "fresh@example.com").get_json()
    assert body["user"]["email_verified"] is False
    token = signup.issue_link_token(db, user_id=body["user"]["id"], email="fresh@example.com", now=utcnow())
    assert api.post("/api/auth/verify-email", json={"token": token}).status_code == 204
    assert api.get("/api/me", body["access_token"]).get_json()["email_verified"] is True
    again = api.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "invalid_verification_token"


def test_the_link_can_be_asked_for_again(api, db):
    body = register(api, "fresh@example.com").get_json()
    assert api.post("/api/me/verify-email", body["access_token"]).status_code == 202
    assert outbox(db, "account.verification_requested") == [{"user_id": body["user"]["id"]}]


def test_a_sign_up_racing_another_for_the_same_address_becomes_a_shadow(db, make_user, monkeypatch):
    """Two sign-ups of one new address at once: the unique index stops the second, which then answers
    like any taken address instead of a 409."""
    from clinic.identity import service as accounts

    owner = make_user(email="race@example.com")
    real, seen = accounts.find_by_email, []

    def misses_the_first_time(session, email):  # as if the other sign-up committed just after this look-up
        seen.append(email)
        return None if len(seen) == 1 else real(session, email)

    monkeypatch.setattr(accounts, "find_by_email", misses_the_first_time)
    user = signup.register(
        db, email="race@example.com", password=OTHER_PASSWORD, full_name="Eva", phone=None, locale="es", now=utcnow()
    )
    assert user.shadow and user.id != owner.id and len(seen) == 2
    assert outbox(db, "account.signup_attempted")[0]["user_id"] == owner.id
