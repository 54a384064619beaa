"""An admin's invitation (an account made without a password): the email through the real relay and worker,
its link sets the password, and until then no password opens the account."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy.orm import Session

from clinic.clock import utcnow
from clinic.errors import Unauthorized
from clinic.identity import resets
from clinic.identity import service as accounts
from tests.support.async_world import scheduler_once, wait_until

SECRET = "test-secret-" + "x" * 32  # the processes' JWT_SECRET_KEY (process_env)


def test_an_invited_user_gets_one_email_whose_link_sets_the_password(world, fake, env, workers):
    with Session(world.engine) as session, session.begin():
        user = accounts.create_user(
            session,
            email="invited.doctor@async.test",
            password=None,
            full_name="Irene Invitada",
            role="doctor",
            locale="es",
        )
        resets.invite(session, user=user, secret=SECRET, now=utcnow())
        user_id = user.id
    with Session(world.engine) as session:
        for guess in ("", "!invited", "Otra-Clave-Segura-42"):
            with pytest.raises(Unauthorized):
                accounts.authenticate(session, email="invited.doctor@async.test", password=guess)
    workers(env)
    assert scheduler_once(env).returncode == 0
    [email] = fake.wait_for("invited.doctor@async.test", 1)
    assert email["subject"] == "Elige tu contraseña"
    assert "Hola, Irene Invitada" in email["text"] and "caduca en 7 días" in email["text"]
    link = next(w for w in email["text"].split() if "/reset-password?" in w)
    token = parse_qs(urlparse(link).query)["token"][0]
    expires = world.scalar("SELECT expires_at - created_at FROM password_resets WHERE user_id = :u", u=user_id)
    assert expires == timedelta(days=7)
    wait_until(lambda: world.scalar("SELECT status FROM deliveries WHERE key = :k", k=email["key"]) == "sent")
    with Session(world.engine) as session, session.begin():
        resets.confirm_reset(session, token=token, password="Otra-Clave-Segura-42", now=utcnow())
    with Session(world.engine) as session:
        assert (
            accounts.authenticate(session, email="invited.doctor@async.test", password="Otra-Clave-Segura-42").id
            == user_id
        )
    assert len(fake.to("invited.doctor@async.test")) == 1
