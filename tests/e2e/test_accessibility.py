"""axe-core on every patient screen, desktop and phone, Spanish and English: no critical and no serious
violation. And a whole booking done with the keyboard only."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import FRONTEND, ROOT, SHOTS
from tests.e2e.helpers import settle

pytestmark = pytest.mark.e2e

AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
BLOCKING = ("critical", "serious")


PICKER = ".time-picker"  # the booking page's time picker (components/picker), checked like the rest


def _axe(page: Page, exclude: list[str] | None = None, include: str | None = None) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    context = {"include": [[include]]} if include else {"exclude": [[e] for e in exclude or []]}
    result = page.evaluate(
        """async (context) => {
        const r = await axe.run(context.include ? context : {exclude: context.exclude}, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""",
        context,
    )
    return result


def _patient(world, tag: str) -> tuple[str, str, dict]:
    email = world.email(f"a11y-{tag}")
    world.ok(
        "POST",
        "/api/users",
        {"email": email, "password": PASSWORD, "full_name": f"Ana Accesible {tag}", "role": "patient"},
    )
    token = world.login(email)
    start = date.today() + timedelta(days=9)
    _, slots = world.system.call(
        "GET",
        f"/api/doctors/{world.doctor['id']}/slots?service_id={world.service['id']}"
        f"&from={start}&to={start + timedelta(days=6)}",
        token,
    )
    for slot in slots["slots"][3::11]:
        status, appointment = world.system.call(
            "POST",
            "/api/appointments",
            token,
            body={"doctor_id": world.doctor["id"], "service_id": world.service["id"], "starts_at": slot["starts_at"]},
        )
        if status == 201:
            return email, token, appointment
    raise AssertionError("could not book")


def _signed_in_state(browser: Browser, world, email: str) -> dict:
    context = browser.new_context(base_url=world.system.base)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Correo electrónico").fill(email)
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Iniciar sesión").click()
        expect(page.get_by_role("heading", level=1, name="Pedir cita")).to_be_visible()
        return context.storage_state()
    finally:
        context.close()


@pytest.mark.parametrize("device", list(DEVICES))
def test_every_patient_screen_has_no_critical_or_serious_axe_violation(browser: Browser, world, device):
    email, token, appointment = _patient(world, device)
    state = _signed_in_state(browser, world, email)
    screens = {
        "login": ("/login", None, "Iniciar sesión"),
        "register": ("/register", None, "Crear cuenta"),
        "forgot-password": ("/forgot-password", None, "Recuperar la contraseña"),
        "reset-password": ("/reset-password?token=abc", None, "Elige una contraseña nueva"),
        "booking": ("/book", state, "Pedir cita"),
        "booking-slots": (
            f"/book?doctor_id={world.doctor['id']}&service_id={world.service['id']}",
            state,
            "Pedir cita",
        ),
        "my-appointments": ("/appointments", state, "Mis citas"),
        "appointment": (f"/appointments/{appointment['id']}", state, "Tu cita"),
        "account": ("/account", state, "Mi cuenta"),
        "waitlist": ("/waitlist", state, "Lista de espera"),
    }
    found: dict[str, list[dict]] = {}
    out = ROOT / "test-artifacts" / f"axe-{device}.json"
    for lang in ("es", "en"):
        world.ok("PATCH", "/api/me", {"locale": lang}, token=token)  # the profile's language wins once signed in
        for name, (path, storage, heading) in screens.items():
            context = browser.new_context(
                base_url=world.system.base, bypass_csp=True, locale="es-ES", storage_state=storage, **DEVICES[device]
            )
            try:
                if lang == "en":
                    context.add_init_script("window.localStorage.setItem('clinic.locale', 'en')")
                page = context.new_page()
                page.goto(path)
                if lang == "es":
                    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
                else:
                    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=15000)
                    expect(page.get_by_role("heading", level=1)).to_be_visible()
                    expect(page.get_by_role("heading", level=1)).not_to_have_text(heading)
                if name == "booking-slots":
                    expect(page.locator(PICKER)).to_have_attribute("aria-busy", "false", timeout=20000)
                    expect(page.locator(f"{PICKER} button.time").first).to_be_visible()
                settle(page)
                violations = [v for v in _axe(page) if v["impact"] in BLOCKING]
                if violations:
                    found[f"{device}/{lang}/{name}"] = violations
                    out.write_text(json.dumps({"violations": found}, indent=2, ensure_ascii=False))
                page.screenshot(path=str(SHOTS / f"80-axe-{device}-{name}-{lang}.png"), full_page=True)
            finally:
                context.close()
    out.write_text(json.dumps({"violations": found}, indent=2, ensure_ascii=False))
    print(f"axe {device}: {len(screens) * 2} screens, with blocking violations: {len(found)}")
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_booking_with_the_keyboard_only(page: Page, world):
    email = world.email("keys")
    world.ok(
        "POST", "/api/users", {"email": email, "password": PASSWORD, "full_name": "Teo Teclado", "role": "patient"}
    )
    page.goto("/login")

    def tab_to(predicate, limit: int = 120) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if predicate():
                return
        raise AssertionError("never reached by Tab")

    def focused(selector: str):
        return lambda: page.evaluate(
            f"document.activeElement && document.activeElement.matches({json.dumps(selector)})"
        )

    tab_to(focused("input[name=email]"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Pedir cita")).to_be_visible()

    see = f"button[aria-label='Ver huecos: {world.doctor['full_name']}']"
    tab_to(focused(see))
    page.keyboard.press("Enter")
    expect(page.locator(PICKER)).to_have_attribute("aria-busy", "false", timeout=20000)
    tab_to(focused(f"{PICKER} button.time"))  # one tab stop for the times; arrows move between them
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    confirm = page.get_by_role("region", name="Confirmar la cita")
    expect(confirm).to_be_visible()
    tab_to(focused("textarea, input"), 20)
    page.keyboard.type("Revisión con teclado")
    tab_to(
        lambda: confirm.get_by_role("button", name="Confirmar cita").evaluate("el => el === document.activeElement"), 10
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cita confirmada")).to_be_focused()
    page.screenshot(path=str(SHOTS / "81-keyboard-booking-done.png"), full_page=True)
    # Read as the patient: staff lists leave the reason out (clinical data).
    status, booked = world.system.call("GET", "/api/appointments", world.login(email))
    assert status == 200
    assert [a["status"] for a in booked] == ["booked"] and booked[0]["reason"] == "Revisión con teclado", (
        chosen,
        booked,
    )
    assert re.search(r"\d\d:\d\d", chosen or "")


def _staff_state(browser: Browser, world, email: str) -> dict:
    context = browser.new_context(base_url=world.system.base)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Correo electrónico").fill(email)
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Iniciar sesión").click()
        expect(page.get_by_role("heading", level=1)).not_to_have_text("Iniciar sesión")
        return context.storage_state()
    finally:
        context.close()


WEEK = {"es": "Semana", "en": "Week"}
BOOK_FOR = {"es": "Reservar para un paciente", "en": "Book for a patient"}
SEARCH = {"es": "Buscar paciente", "en": "Search patient"}
TABS = {"es": ["Clínicas", "Servicios", "Médicos", "Usuarios"], "en": ["Clinics", "Services", "Doctors", "Users"]}


def _open_staff_screen(page: Page, world, name: str, lang: str) -> None:
    """Bring the screen `name` into view (after its page loaded): a view, a tab or a dialog."""
    if name.endswith("-week"):
        page.locator(".calendar").get_by_role("button", name=WEEK[lang], exact=True).click()
    elif name == "desk-book":
        page.get_by_role("button", name=BOOK_FOR[lang]).click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label(SEARCH[lang]).fill(world.seen["full_name"][:9])
        dialog.get_by_role("button", name=world.seen["full_name"]).click()
        expect(dialog.locator(PICKER)).to_have_attribute("aria-busy", "false", timeout=20000)
        dialog.locator(f"{PICKER} .next-free").click()  # late in the day, today (a phone's one day) may have none
        expect(dialog.locator(f"{PICKER} button.time").first).to_be_visible()
    elif name.startswith("admin-"):
        page.get_by_role("tab", name=TABS[lang][["clinics", "services", "doctors", "users"].index(name[6:])]).click()
    if "desk" in name or "agenda" in name:
        page.wait_for_selector(".rbc-time-view")


@pytest.mark.parametrize("device", list(DEVICES))
def test_every_staff_screen_has_no_critical_or_serious_axe_violation(browser: Browser, world, device):
    """The desk (day, week, booking for a patient), the doctor's agenda (day, week), the record page, the
    schedule editor and every admin tab: axe-core, desktop and phone, Spanish and English; a screenshot each."""
    patient = world.seen
    states = {
        who: _staff_state(browser, world, email)
        for who, email in (
            ("desk", world.receptionist_email),
            ("doctor", world.doctor_email),
            ("admin", world.admin_email),
        )
    }
    screens = {
        "desk-day": ("/desk", "desk"),
        "desk-week": ("/desk", "desk"),
        "desk-book": ("/desk", "desk"),
        "agenda-day": ("/agenda", "doctor"),
        "agenda-week": ("/agenda", "doctor"),
        "record": (f"/patients/{patient['id']}/record", "doctor"),
        "schedule": ("/schedule", "doctor"),
        "admin-clinics": ("/admin", "admin"),
        "admin-services": ("/admin", "admin"),
        "admin-doctors": ("/admin", "admin"),
        "admin-users": ("/admin", "admin"),
    }
    emails = {"desk": world.receptionist_email, "doctor": world.doctor_email, "admin": world.admin_email}
    found: dict[str, list[dict]] = {}
    overflow: dict[str, int] = {}
    out = ROOT / "test-artifacts" / f"axe-staff-{device}.json"
    try:
        for lang in ("es", "en"):
            for email in emails.values():
                world.ok("PATCH", "/api/me", {"locale": lang}, token=world.login(email))
            for name, (path, who) in screens.items():
                context = browser.new_context(
                    base_url=world.system.base,
                    bypass_csp=True,
                    locale="es-ES",
                    timezone_id="America/New_York",
                    storage_state=states[who],
                    **DEVICES[device],
                )
                try:
                    page = context.new_page()
                    page.set_default_timeout(15000)
                    page.goto(path)
                    expect(page.locator("html")).to_have_attribute("lang", lang, timeout=15000)
                    expect(page.get_by_role("heading", level=1)).to_be_visible()
                    settle(page)
                    _open_staff_screen(page, world, name, lang)
                    settle(page)
                    violations = [v for v in _axe(page) if v["impact"] in BLOCKING]
                    if violations:
                        found[f"{device}/{lang}/{name}"] = violations
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > page.viewport_size["width"]:
                        overflow[f"{device}/{lang}/{name}"] = width
                    full = page.get_by_role("dialog").count() == 0
                    page.screenshot(path=str(SHOTS / f"85-staff-{device}-{name}-{lang}.png"), full_page=full)
                finally:
                    context.close()
    finally:
        for email in emails.values():
            world.ok("PATCH", "/api/me", {"locale": "es"}, token=world.login(email))
        out.write_text(json.dumps({"violations": found, "sideways": overflow}, indent=2, ensure_ascii=False))
    print(f"axe staff {device}: {len(screens) * 2} screens, with blocking violations: {len(found)}")
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
    assert overflow == {}, overflow  # no screen scrolls sideways (the calendars scroll inside themselves)
