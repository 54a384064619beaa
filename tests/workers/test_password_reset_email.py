"""The password-reset email through the real outbox relay, worker and (fake) Resend, exactly once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from sqlalchemy.orm import Session

from clinic.clock import utcnow
from clinic.identity import resets
from tests.support.async_world import scheduler_once, wait_until

SECRET = "test-secret-" + "x" * 32  # the processes' JWT_SECRET_KEY (process_env)


def test_a_reset_request_sends_one_email_with_a_working_link(world, fake, env, workers):
    user = world.user("patient", locale="en", name="Ann Example")
    with Session(world.engine) as session, session.begin():
        resets.request_reset(session, email=user["email"], secret=SECRET, now=utcnow())
        resets.request_reset(session, email="nobody@async.test", secret=SECRET, now=utcnow())
    workers(env)
    assert scheduler_once(env).returncode == 0  # relays the outbox (and would re-relay nothing)
    [email] = fake.wait_for(user["email"], 1)
    assert email["subject"] == "Reset your password" and "Hello Ann Example" in email["text"]
    reset_id = world.scalar("SELECT id FROM password_resets WHERE user_id = :u", u=user["id"])
    assert email["key"] == f"password_reset:{reset_id}"
    link = next(w for w in email["text"].split() if "/reset-password?" in w)
    assert link.startswith("https://clinic.example/reset-password?token=")
    token = parse_qs(urlparse(link).query)["token"][0]
    wait_until(lambda: world.scalar("SELECT status FROM deliveries WHERE key = :k", k=email["key"]) == "sent")
    assert world.scalar("SELECT payload FROM deliveries WHERE key = :k", k=email["key"]) is None  # link not kept
    with Session(world.engine) as session, session.begin():
        assert (
            resets.confirm_reset(session, token=token, password="Otra-Clave-Segura-42", now=utcnow()).id == user["id"]
        )
    assert len(fake.emails) == 1
