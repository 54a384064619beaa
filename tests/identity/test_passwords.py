"""Password reset (request, email, confirm) and password change: every other session ends at once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import event, select, text

from clinic.db import STATEMENT_HOOKS
from clinic.clock import utcnow
from clinic.identity import resets
from clinic.identity.models import PasswordReset
from clinic.notifications import events
from clinic.notifications.models import Delivery
from clinic.notifications.render import Renderer
from tests.conftest import PASSWORD

NEW_PASSWORD = "Otra-Clave-Segura-42"


def _outbox(db) -> list[dict]:
    return [
        r[0] for r in db.execute(text("SELECT payload FROM outbox WHERE topic = 'account.password_reset' ORDER BY id"))
    ]


def _email_for(app, db, payload: dict) -> dict | None:
    """Render the reset email the worker would send for this outbox message."""
    delivery_id = events.password_reset_delivery(db, payload=payload)
    row = db.get(Delivery, delivery_id)
    return Renderer(app.config["SETTINGS"]).render(db, [row], now=utcnow())[row.id]


def _token(email: dict) -> str:
    link = next(word for word in email["text"].split() if "/reset-password?" in word)
    assert link.startswith("http://localhost:5173/reset-password?token=")  # PUBLIC_URL (FRONTEND_ORIGIN here)
    return parse_qs(urlparse(link).query)["token"][0]


def _ask(api, email: str):
    return api.post("/api/auth/password-reset", json={"email": email})


def _reset_link(app, api, db, user) -> str:
    assert _ask(api, user.email).status_code == 202
    return _token(_email_for(app, db, _outbox(db)[-1]))


def test_a_known_address_gets_a_single_use_link_in_its_language(app, api, db, make_user):
    user = make_user(locale="en", full_name="Ann Example")
    r = _ask(api, user.email.upper())
    assert r.status_code == 202 and r.get_data() == b""
    [payload] = _outbox(db)
    assert set(payload) == {"reset_id", "user_id"}  # ids only: the token is in no row
    stored = db.execute(
        text("SELECT token_hash, expires_at - created_at FROM password_resets WHERE id = :i"),
        {"i": payload["reset_id"]},
    ).one()
    assert stored[1] == timedelta(hours=1)
    email = _email_for(app, db, payload)
    assert email["to"] == [user.email] and email["subject"] == "Reset your password"
    assert "Hello Ann Example" in email["text"] and "expires in one hour" in email["text"]
    token = _token(email)
    assert len(token) >= 22 and resets.token_hash(token) == bytes(stored[0])  # ≥128 bits, stored hashed
    assert token not in str(db.execute(text("SELECT * FROM password_resets")).all())


def test_spanish_is_the_default_language(app, api, db, make_user):
    user = make_user(locale="es")
    _ask(api, user.email)
    email = _email_for(app, db, _outbox(db)[-1])
    assert email["subject"] == "Restablece tu contraseña" and "caduca en una hora" in email["text"]


def test_unknown_and_inactive_addresses_get_the_same_answer_and_nothing_is_sent(api, db, make_user):
    known = _ask(api, make_user().email)
    inactive = make_user()
    inactive.is_active = False
    db.flush()
    for email in ("nobody@example.com", inactive.email):
        r = _ask(api, email)
        assert (r.status_code, r.get_data(), r.headers.get("Content-Type")) == (
            known.status_code,
            known.get_data(),
            known.headers.get("Content-Type"),
        )
    assert len(_outbox(db)) == 1


def test_at_most_three_live_links_per_account(api, db, make_user):
    user = make_user()
    for _ in range(5):
        assert _ask(api, user.email).status_code == 202
    assert len(_outbox(db)) == 3


def test_confirm_sets_the_password_and_ends_every_session(app, api, db, make_user):
    user = make_user()
    sessions = [api.login(user.email) for _ in range(2)]
    token = _reset_link(app, api, db, user)
    r = api.post("/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert r.status_code == 204
    for s in sessions:
        assert api.get("/api/me", s["access_token"]).status_code == 401
        assert api.post("/api/auth/refresh", s["refresh_token"]).status_code == 401
    assert api.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert api.login(user.email, NEW_PASSWORD)["user"]["id"] == user.id


def test_a_link_works_once_and_ends_the_accounts_other_links(app, api, db, make_user):
    user = make_user()
    first = _reset_link(app, api, db, user)
    second = _reset_link(app, api, db, user)
    assert (
        api.post("/api/auth/password-reset/confirm", json={"token": second, "password": NEW_PASSWORD}).status_code
        == 204
    )
    for token in (second, first):
        r = api.post("/api/auth/password-reset/confirm", json={"token": token, "password": "Y" + NEW_PASSWORD})
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_reset_token"
    # A used link is not rendered again either (a late or repeated email says nothing).
    assert _email_for(app, db, _outbox(db)[0]) is None


def test_bad_and_expired_tokens_are_400(app, api, db, make_user):
    user = make_user()
    token = _reset_link(app, api, db, user)
    db.execute(
        text("UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = :u"), {"u": user.id}
    )
    db.flush()
    for bad in (token, "x", "A" * 43):
        r = api.post("/api/auth/password-reset/confirm", json={"token": bad, "password": NEW_PASSWORD})
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_reset_token"
    assert _email_for(app, db, _outbox(db)[0]) is None  # an expired link is not sent


def test_the_new_password_must_pass_the_policy_and_the_link_survives_a_refusal(app, api, db, make_user):
    user = make_user()
    token = _reset_link(app, api, db, user)
    r = api.post("/api/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert r.status_code == 422 and "password" in r.get_json()["error"]["fields"]
    assert (
        api.post("/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}).status_code == 204
    )


def test_change_password_keeps_this_session_and_ends_the_others(api, make_user):
    user = make_user()
    here, elsewhere = api.login(user.email), api.login(user.email)
    r = api.post(
        "/api/me/password", here["access_token"], json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 204
    assert api.get("/api/me", here["access_token"]).status_code == 200
    assert api.post("/api/auth/refresh", here["refresh_token"]).status_code == 200
    assert api.get("/api/me", elsewhere["access_token"]).status_code == 401
    assert api.post("/api/auth/refresh", elsewhere["refresh_token"]).status_code == 401
    assert api.login(user.email, NEW_PASSWORD)


def test_change_password_needs_the_current_one_and_a_good_new_one(api, make_user):
    user = make_user()
    token = api.login(user.email)["access_token"]
    wrong = api.post("/api/me/password", token, json={"current_password": "Nope-Nope-1", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and wrong.get_json()["error"]["fields"] == {"current_password": "wrong"}
    weak = api.post("/api/me/password", token, json={"current_password": PASSWORD, "new_password": "password123"})
    assert weak.status_code == 422 and "new_password" in weak.get_json()["error"]["fields"]
    assert (
        api.post("/api/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}).status_code
        == 401
    )
    assert api.login(user.email)  # unchanged


def test_password_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "202" in paths["/api/auth/password-reset"]["post"]["responses"]
    assert {"204", "400"} <= set(paths["/api/auth/password-reset/confirm"]["post"]["responses"])
    assert "204" in paths["/api/me/password"]["post"]["responses"]


def test_reset_rows_keep_no_token(db, make_user):
    user = make_user()
    now = utcnow()
    resets.request_reset(db, email=user.email, secret="s" * 40, now=now)
    [row] = db.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id))
    token = resets.token_for("s" * 40, row.nonce)
    assert row.token_hash == resets.token_hash(token) and token.encode() not in row.nonce + row.token_hash


def test_known_and_unknown_addresses_run_the_same_statements(api, engine, make_user):
    """The proxy for "similar timing" that a test can check without flakiness: the same SQL either way (one
    statement that writes only for a known address, committed without waiting for a WAL flush)."""
    user = make_user()
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    def record_driver(statement, parameters):  # statements of the platform's driver path (clinic.db)
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    STATEMENT_HOOKS.append(record_driver)
    try:
        runs = []
        for email in (user.email, "nobody@example.com", user.email.upper(), "nadie@example.com"):
            seen.clear()
            assert _ask(api, email).status_code == 202
            runs.append([s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))])
    finally:
        event.remove(engine, "before_cursor_execute", record)
        STATEMENT_HOOKS.remove(record_driver)
    assert runs[0] and all(run == runs[0] for run in runs)
    assert "synchronous_commit = off" in runs[0][0]
