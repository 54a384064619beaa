"""In the browser: forgotten password → emailed link → new password; password change; sign out everywhere;
an admin deactivates an account. Runs against the same real system as test_browser.py."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import snap

pytestmark = pytest.mark.e2e

RESET_PASSWORD = "Nueva-Clave-Segura-51"
CHANGED_PASSWORD = "Tercera-Clave-Segura-77"


def _sign_in(page: Page, email: str, password: str, heading: str) -> None:
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def test_forgotten_password_change_and_sign_out_everywhere(page: Page, world):
    email = world.email("olvido")
    world.ok(
        "POST", "/api/users", {"email": email, "password": PASSWORD, "full_name": "Olga Olvido", "role": "patient"}
    )
    page.goto("/login")
    page.get_by_role("link", name="¿Has olvidado tu contraseña?").click()
    expect(page.get_by_role("heading", level=1, name="Recuperar la contraseña")).to_be_visible()
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_role("button", name="Enviar enlace").click()
    expect(page.get_by_role("status")).to_contain_text("Si hay una cuenta con ese correo")
    snap(page, "50-forgot-password")

    [mail] = world.system.mail.wait_for(email, 1)
    assert mail["subject"] == "Restablece tu contraseña"
    link = next(word for word in mail["text"].split() if "/reset-password?token=" in word)
    assert link.startswith(world.system.base + "/reset-password?token=")
    page.goto(urlparse(link)._replace(scheme="", netloc="").geturl())
    expect(page.get_by_role("heading", level=1, name="Elige una contraseña nueva")).to_be_visible()
    page.get_by_label("Contraseña nueva").fill(RESET_PASSWORD)
    snap(page, "51-reset-password")
    page.get_by_role("button", name="Guardar contraseña").click()
    expect(page.get_by_role("status")).to_contain_text("Contraseña cambiada")
    page.get_by_role("link", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", level=1, name="Iniciar sesión")).to_be_visible()
    _sign_in(page, email, RESET_PASSWORD, "Pedir cita")

    # Change it again from the account page: this session stays, the others end.
    elsewhere = world.login_with(email, RESET_PASSWORD)
    page.goto("/account")
    expect(page.get_by_role("heading", level=1, name="Mi cuenta")).to_be_visible()
    page.get_by_label("Contraseña actual").fill(RESET_PASSWORD)
    page.get_by_label("Contraseña nueva").fill(CHANGED_PASSWORD)
    page.get_by_role("button", name="Guardar contraseña").click()
    expect(page.get_by_role("status").filter(has_text="Contraseña cambiada")).to_be_visible()
    snap(page, "52-account-security")
    assert world.system.call("GET", "/api/me", elsewhere)[0] == 401
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Mi cuenta")).to_be_visible()  # still signed in here

    # Sign out everywhere: this browser too, and every token of the account.
    other = world.login_with(email, CHANGED_PASSWORD)
    page.get_by_role("button", name="Cerrar sesión en todos los dispositivos").click()
    expect(page.get_by_text("Hemos cerrado todas tus sesiones.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Iniciar sesión")).to_be_visible()
    assert world.system.call("GET", "/api/me", other)[0] == 401


def test_admin_deactivates_and_reactivates_an_account(page: Page, world):
    email = world.email("baja")
    name = f"Bruno Baja {world.tag[:4]}"
    world.ok("POST", "/api/users", {"email": email, "password": PASSWORD, "full_name": name, "role": "receptionist"})
    token = world.login_with(email, PASSWORD)
    page.goto("/login")
    _sign_in(page, world.admin_email, PASSWORD, "Administración")
    page.get_by_role("tab", name="Usuarios").click()
    page.get_by_label("Buscar").fill(name)
    row = page.get_by_role("row").filter(has_text=name)
    row.get_by_role("button", name="Dar de baja").click()
    expect(row.get_by_role("cell", name="de baja", exact=True)).to_be_visible()
    snap(page, "53-admin-deactivated")
    assert world.system.call("GET", "/api/me", token)[0] == 401
    assert world.system.call("POST", "/api/auth/login", body={"email": email, "password": PASSWORD})[0] == 401
    row.get_by_role("button", name="Reactivar").click()
    expect(row.get_by_role("cell", name="En activo", exact=True)).to_be_visible()
    assert world.login_with(email, PASSWORD)
