"""A self-registered patient is told the address is not confirmed yet, and the emailed link confirms it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clinic.clock import utcnow
from clinic.db import make_session_factory
from clinic.identity import signup
from clinic.unit_of_work import UnitOfWork
from tests.conftest import PASSWORD
from tests.e2e.helpers import snap

pytestmark = pytest.mark.e2e


def test_a_new_patient_confirms_the_address_through_the_emailed_link(page: Page, world, engine):
    email = world.email("sofia")
    page.goto("/register")
    page.get_by_label("Nombre completo").fill("Sofía Pardo")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.get_by_role("heading", level=1, name="Pedir cita")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Mi cuenta").click()
    expect(page.get_by_text(f"Aún no has confirmado {email}")).to_be_visible()
    snap(page, "21-account-unconfirmed")

    # The link the worker emails (only its hash is stored, so the test mints one the same way).
    [me] = world.ok("GET", "/api/users?role=patient&q=" + email)["items"]
    with UnitOfWork(make_session_factory(engine)) as uow:
        session = uow.session
        token = signup.issue_link_token(session, user_id=me["id"], email=email, now=utcnow())
    page.goto(f"/verify-email?token={token}")
    expect(page.get_by_role("status")).to_contain_text("Tu correo está confirmado")
    snap(page, "22-email-confirmed")
    page.get_by_role("navigation").get_by_role("link", name="Mi cuenta").click()
    expect(page.get_by_role("heading", level=1, name="Mi cuenta")).to_be_visible()
    expect(page.get_by_text("Aún no has confirmado")).to_have_count(0)
