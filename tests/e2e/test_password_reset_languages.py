"""Password reset from the emailed link, in the person's language (English here; test_account_security.py
walks the Spanish one): the email is in English, a refused password is explained in English by its code
(never the server's text), a good one works, the link works once, and the new password signs in."""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import SHOTS

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Lantern-Orchard-Velvet-84"


@pytest.fixture()
def page(browser, system):
    """As conftest's page, except that the refusals this test asks for (422) are expected: Chromium logs
    every 4xx answer as a console error. Page errors, other console errors and any 5xx still fail it."""
    context = browser.new_context(
        base_url=system.base, viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="America/New_York"
    )
    problems: list[str] = []
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on(
        "console",
        lambda msg: msg.type == "error" and "status of 422" not in msg.text and problems.append(f"console: {msg.text}"),
    )
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
    yield page
    context.close()
    assert problems == [], problems


def _reset_email(world, address: str, subject: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in world.system.mail.to(address) if e["subject"].strip() == subject]
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no {subject!r}; got {[e['subject'] for e in world.system.mail.to(address)]}")


def test_english_reset_from_the_email_link_with_translated_refusals(page: Page, world):
    address = world.email("reset-en")
    world.ok(
        "POST",
        "/api/users",
        {"email": address, "password": PASSWORD, "full_name": "Emma Reset", "role": "patient", "locale": "en"},
    )
    page.context.add_init_script("window.localStorage.setItem('clinic.locale', 'en')")
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1, name="Recover your password")).to_be_visible()
    page.get_by_label("Email").fill(address)
    page.get_by_role("button", name="Send link").click()
    expect(page.get_by_role("status")).to_contain_text("If there is an account with that email")

    mail = _reset_email(world, address, "Reset your password")
    body = mail["text"].replace("\r\n", "\n")
    assert "contraseña" not in body.lower(), body  # the whole email in the account's language
    link = re.search(r"\S+/reset-password\?token=\S+", body).group(0)
    assert link.startswith(world.system.base + "/reset-password?token=")
    assert link in mail["html"].replace("&amp;", "&")
    page.goto(urlparse(link)._replace(scheme="", netloc="").geturl())
    expect(page.get_by_role("heading", level=1, name="Choose a new password")).to_be_visible()

    # Refusals, each explained in English under the field by its code.
    for weak, text in (
        ("short", "Must have at least 8 characters."),
        ("password123", "Is one of the most used passwords: choose another."),
        ("emma reset 2026", "Contains your email, your name or the clinic's: choose another."),
    ):
        page.get_by_label("New password").fill(weak)
        page.get_by_role("button", name="Save password").click()
        expect(page.get_by_label("New password")).to_have_accessible_description(text)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The password is too weak.")
    assert not re.search(r"contraseña|too_|fieldErrors", page.locator("main").inner_text()), page.locator(
        "main"
    ).inner_text()
    page.screenshot(path=str(SHOTS / "90-reset-refused-en.png"), full_page=True)

    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("status")).to_contain_text("Password changed. You can sign in now.")
    page.screenshot(path=str(SHOTS / "91-reset-done-en.png"), full_page=True)

    # The link worked once.
    status, answer = world.system.call(
        "POST",
        "/api/auth/password-reset/confirm",
        body={"token": link.split("token=", 1)[1], "password": "Another-Strong-Phrase-12"},
    )
    assert status == 400 and answer["error"]["code"] == "invalid_reset_token"

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Book an appointment")).to_be_visible()
    assert world.system.call("POST", "/api/auth/login", body={"email": address, "password": PASSWORD})[0] == 401
