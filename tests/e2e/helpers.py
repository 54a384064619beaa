"""Small steps shared by the browser scenarios."""
from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import SHOTS

def set_language(page: Page, lang: str) -> None:
    # By CSS, not by role: on a phone the switch is inside the closed site menu (hidden, so not in the
    # accessibility tree); a dispatched click works there, and also while a dialog is open.
    page.locator(f'header .lang button[lang="{lang}"]').dispatch_event("click")
    expect(page.locator("html")).to_have_attribute("lang", lang)  # (wait_for_function would need eval: CSP)


def menu(page: Page):
    """The site menu, opened first on a phone (where the top bar is one row with a "Menu" button)."""
    toggle = page.locator("button.menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect(page.locator("#site-menu")).to_be_visible()
    return page.locator("#site-menu")


def settle(page: Page) -> None:
    """Wait until the screen shows what it asked for: loaded, nothing busy, no spinner. Not "networkidle":
    screens with live updates keep their GET /api/events stream open, so their network is never idle."""
    page.wait_for_load_state("load")
    expect(page.locator("[aria-busy='true'], p.loading")).to_have_count(0)
    page.wait_for_timeout(150)  # the last answer's render


def snap(page: Page, name: str) -> None:
    """Screenshots of the current screen in Spanish and in English (then back to Spanish)."""
    settle(page)
    full = page.get_by_role("dialog").count() == 0  # a dialog is seen over the viewport, as a person sees it
    page.screenshot(path=str(SHOTS / f"{name}-es.png"), full_page=full)
    set_language(page, "en")
    settle(page)
    page.screenshot(path=str(SHOTS / f"{name}-en.png"), full_page=full)
    set_language(page, "es")
    settle(page)


def sign_in(page: Page, email: str, landing_heading: str) -> None:
    page.goto("/login")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", level=1, name=landing_heading)).to_be_visible()


def next_week_slots(page: Page, scope):
    """Move the slot calendar in `scope` to next week (every slot then lies beyond the 24 h change cutoff)."""
    scope.get_by_role("button", name="Siguiente").click()
    expect(scope.locator(".slot-picker")).to_have_attribute("aria-busy", "false")
    slots = scope.locator(".rbc-event.slot-event")
    expect(slots.first).to_be_visible()
    return slots


def later_times(page: Page, scope):
    """Move the time picker in `scope` to the next days (every time then lies beyond the 24 h change cutoff)."""
    scope.get_by_role("button", name="Días siguientes").click()
    expect(scope.locator(".time-picker")).to_have_attribute("aria-busy", "false")
    times = scope.locator("button.time")
    expect(times.first).to_be_visible()
    return times


def wait_email(world, address: str, subject: str, timeout: float = 30.0) -> dict:
    """The first email to `address` whose subject starts with `subject`, waiting up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in world.system.mail.to(address) if e["subject"].strip().startswith(subject)]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no email {subject!r}; got {[e['subject'] for e in world.system.mail.to(address)]}")
