"""The booking flow of issue 17 in real Chromium, in Spanish and English, on a desktop and a phone:
browse without an account → pick 'next available' → sign up at confirmation → confirmation screen →
add-to-calendar links → open the appointment from the confirmation email's link → cancel after the change
deadline, which says 'late' → password reset from the emailed link. Every screen is screenshotted
(test-artifacts/screenshots/booking-*) and checked with axe-core (no critical or serious).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import CHROMIUM, FRONTEND, SHOTS
from tests.e2e.helpers import menu, wait_email

pytestmark = pytest.mark.e2e

AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
NEW_PASSWORD = "Lantern-Orchard-Velvet-84"
VIEWPORTS = {"desktop": {"width": 1366, "height": 800}, "phone": {"width": 390, "height": 844}}
TEXT = {
    "es": {
        "lang": "Español",
        "title": "Pedir cita",
        "see": "Ver huecos",
        "confirm": "Confirmar la cita",
        "create": "Crear cuenta y continuar",
        "name": "Nombre completo",
        "email": "Correo electrónico",
        "password": "Contraseña",
        "sign_up": "Crear cuenta",
        "book": "Confirmar cita",
        "done": "Cita confirmada",
        "restored": "Hemos recuperado la hora",
        "inside": "menos de 24 horas",
        "google": "Google Calendar",
        "outlook": "Outlook.com",
        "ics": "Apple Calendar (.ics)",
        "subscribe": "Suscribirse a todas mis citas",
        "mine": "Mis citas",
        "cancel": "Anular cita",
        "cancel_dialog": "¿Anular esta cita?",
        "yes": "Sí, anular",
        "late_warn": "anulación tardía",
        "cancelled_late": "Ha sido una anulación tardía",
        "late_badge": "Anulación tardía",
        "change": "Cambiar fecha",
        "next_free": "Primera hora libre:",
        "phone": "+34 910 000 000",
        "mail_confirmed": "Cita confirmada",
        "cancel_any": "^Anular",
        "change_any": "^Cambiar",
        "manage": "Gestiona tu cita",
        "sign_out": "Cerrar sesión",
        "sign_in": "Iniciar sesión",
        "forgot": "¿Has olvidado tu contraseña?",
        "forgot_title": "Recuperar la contraseña",
        "send_link": "Enviar enlace",
        "reset_subject": "Restablece tu contraseña",
        "new_password": "Contraseña nueva",
        "save_password": "Guardar contraseña",
        "password_changed": "Contraseña cambiada",
    },
    "en": {
        "lang": "English",
        "title": "Book an appointment",
        "see": "See times",
        "confirm": "Confirm the appointment",
        "create": "Create an account and continue",
        "name": "Full name",
        "email": "Email",
        "password": "Password",
        "sign_up": "Create account",
        "book": "Confirm appointment",
        "done": "Appointment confirmed",
        "restored": "We kept the time you chose",
        "inside": "less than 24 hours",
        "google": "Google Calendar",
        "outlook": "Outlook.com",
        "ics": "Apple Calendar (.ics)",
        "subscribe": "Subscribe to all my appointments",
        "mine": "My appointments",
        "cancel": "Cancel appointment",
        "cancel_dialog": "Cancel this appointment?",
        "yes": "Yes, cancel it",
        "late_warn": "late cancellation",
        "cancelled_late": "It was a late cancellation",
        "late_badge": "Late cancellation",
        "change": "Reschedule",
        "next_free": "Next available:",
        "phone": "+34 910 000 000",
        "mail_confirmed": "Appointment confirmed",
        "cancel_any": "^Cancel",
        "change_any": "^(Change|Reschedule|Move)",
        "manage": "Manage your appointment",
        "sign_out": "Sign out",
        "sign_in": "Sign in",
        "forgot": "Forgot your password?",
        "forgot_title": "Recover your password",
        "send_link": "Send link",
        "reset_subject": "Reset your password",
        "new_password": "New password",
        "save_password": "Save password",
        "password_changed": "Password changed",
    },
}


def _utc_stamp(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _ics_start(ics: str) -> datetime:
    """The VEVENT's DTSTART as an instant (UTC or with its TZID)."""
    event = ics[ics.index("BEGIN:VEVENT") :]
    m = re.search(r"^DTSTART(?:;TZID=([^:;\r\n]+))?(?:;[^:\r\n]*)?:(\d{8}T\d{6})(Z?)", event, re.M)
    wall = datetime.strptime(m.group(2), "%Y%m%dT%H%M%S")
    return wall.replace(tzinfo=timezone.utc if m.group(3) else ZoneInfo(m.group(1)))


def axe_check(page: Page, screen: str) -> None:
    """axe-core on the current screen: no critical or serious violation."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
    }""")
    bad = [v for v in found if v["impact"] in ("critical", "serious")]
    assert bad == [], (screen, bad)


def shot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"booking-{name}.png"), full_page=True)


@pytest.fixture()
def clinic_with_phone(world):
    world.ok("PATCH", f"/api/clinics/{world.clinic['id']}", {"phone": "+34 910 000 000"})
    return world.clinic


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_browse_pick_next_available_sign_up_confirm_and_cancel_late(
    browser, system, world, clinic_with_phone, lang, device
):
    text = TEXT[lang]
    tag = f"{device}-{lang}"
    context = browser.new_context(
        base_url=system.base,
        viewport=VIEWPORTS[device],
        locale="es-ES",
        timezone_id="America/New_York",
        bypass_csp=True,
        accept_downloads=True,
        is_mobile=device == "phone",
        has_touch=device == "phone",
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
    doctor_requests: list[str] = []
    page.on("request", lambda r: urlparse(r.url).path == "/api/doctors" and doctor_requests.append(r.url))
    try:
        # 1. Browse without an account.
        page.goto("/book")
        menu(page).get_by_role("group", name="Idioma").get_by_role("button", name=text["lang"]).click()
        expect(page.get_by_role("heading", level=1, name=text["title"])).to_be_visible()
        card = page.locator("li.card", has_text=world.doctor["full_name"])
        expect(card.get_by_role("button", name=re.compile(re.escape(text["next_free"])))).to_be_visible()
        assert len(doctor_requests) == 1, doctor_requests  # /api/doctors once per page load
        shot(page, f"01-browse-{tag}")
        axe_check(page, "browse")

        # 2. The picker: day columns, from today; one day on a phone; big HH:MM buttons.
        card.get_by_role("button", name=f"{text['see']}: {world.doctor['full_name']}").click()
        picker = page.locator(".time-picker")
        expect(picker).to_have_attribute("aria-busy", "false")
        times = picker.locator("button.time")
        expect(times.first).to_be_visible()
        columns = picker.locator(".day-column")
        assert columns.count() == (1 if device == "phone" else 5)
        for i in range(min(times.count(), 12)):
            box = times.nth(i).bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, box
            label = times.nth(i).inner_text().split()[-1]  # what shows: the day is for screen readers only
            assert re.fullmatch(r"\d\d:\d\d", label), times.nth(i).inner_text()
        expect(picker.get_by_text("Europe/Madrid")).to_be_visible()  # the browser is in New York: zone named
        shot(page, f"02-picker-{tag}")
        axe_check(page, "picker")

        # 3. Pick 'next available' (the jump focuses it; Enter picks).
        picker.get_by_role("button", name=re.compile(re.escape(text["next_free"]))).click()
        focused = page.locator("button.time:focus")
        expect(focused).to_have_count(1)
        page.keyboard.press("Enter")
        confirm = page.get_by_role("region", name=text["confirm"])
        expect(page.get_by_role("heading", name=text["confirm"])).to_be_focused()
        expect(confirm).to_contain_text(world.doctor["full_name"])
        expect(confirm).to_contain_text("Calle Mayor 1, Madrid")
        expect(confirm).to_contain_text(text["phone"])
        expect(confirm).to_contain_text(text["inside"])  # the first free time is inside the 24 h cutoff: said before
        shot(page, f"03-confirm-visitor-{tag}")
        axe_check(page, "confirm")

        # 4. The account is asked for now; the chosen time survives the sign-up.
        confirm.get_by_role("button", name=text["create"]).click()
        email = world.email(f"flow-{tag}")
        page.get_by_label(text["name"]).fill(f"Paciente {tag}")
        page.get_by_label(text["email"]).fill(email)
        page.get_by_label(text["password"], exact=True).fill(PASSWORD)
        page.get_by_role("button", name=text["sign_up"]).click()
        expect(page.get_by_text(text["restored"])).to_be_visible()
        confirm = page.get_by_role("region", name=text["confirm"])
        shot(page, f"04-confirm-signed-in-{tag}")
        confirm.get_by_role("button", name=text["book"]).click()

        # 5. The confirmation screen: focus on it, what/who/where/when, calendar links.
        done = page.get_by_role("region", name=text["done"])
        expect(page.get_by_role("heading", name=text["done"])).to_be_focused()
        me = world.ok("GET", "/api/users?role=patient&q=" + email)["items"][0]
        [booked] = world.appointments(patient_id=me["id"])
        assert booked["status"] == "booked"
        google = done.get_by_role("link", name=text["google"]).get_attribute("href")
        query = parse_qs(urlparse(google).query)
        assert urlparse(google).netloc == "calendar.google.com"
        assert query["dates"] == [f"{_utc_stamp(booked['starts_at'])}/{_utc_stamp(booked['ends_at'])}"]
        assert world.doctor["full_name"] in query["text"][0] and "Calle Mayor 1, Madrid" in query["location"][0]
        outlook = done.get_by_role("link", name=text["outlook"]).get_attribute("href")
        oq = parse_qs(urlparse(outlook).query)
        assert urlparse(outlook).netloc == "outlook.live.com"
        assert datetime.fromisoformat(oq["startdt"][0].replace("Z", "+00:00")) == datetime.fromisoformat(
            booked["starts_at"]
        )
        assert datetime.fromisoformat(oq["enddt"][0].replace("Z", "+00:00")) == datetime.fromisoformat(
            booked["ends_at"]
        )
        with page.expect_download() as download:
            done.get_by_role("button", name=text["ics"]).click()
        ics = Path(download.value.path()).read_text()
        assert "BEGIN:VEVENT" in ics and _ics_start(ics) == datetime.fromisoformat(booked["starts_at"]), ics
        assert done.get_by_role("link", name=text["subscribe"]).get_attribute("href") == "/account"
        expect(done).to_contain_text(text["phone"])
        shot(page, f"05-done-{tag}")
        axe_check(page, "done")

        # 6. The confirmation email's "manage" link opens that appointment (in its own tab, as from a mail app).
        mail = wait_email(world, email, text["mail_confirmed"])
        manage = re.search(rf"^{re.escape(text['manage'])}: (\S+)$", mail["text"].replace("\r\n", "\n"), re.M)
        assert manage and manage.group(1).startswith(world.system.base + "/"), mail["text"]
        from_mail = context.new_page()
        from_mail.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
        from_mail.goto(manage.group(1)[len(world.system.base) :])
        expect(from_mail.locator("main")).to_contain_text(world.doctor["full_name"])
        expect(from_mail.get_by_role("button", name=re.compile(text["cancel_any"]))).to_be_visible()
        expect(from_mail.get_by_role("button", name=re.compile(text["change_any"]))).to_have_count(
            0
        )  # inside the cutoff
        from_mail.wait_for_load_state("networkidle")
        from_mail.screenshot(path=str(SHOTS / f"booking-06-from-email-{tag}.png"), full_page=True)
        axe_check(from_mail, "appointment from the email")
        from_mail.close()

        # 7. After the deadline: no Change, Cancel says it is late, and the answer is a late cancellation.
        menu(page).get_by_role("navigation").get_by_role("link", name=text["mine"], exact=True).click()
        item = page.locator("li.appointment", has_text=world.doctor["full_name"])
        expect(item.get_by_role("button", name=text["cancel"])).to_be_visible()
        expect(item.get_by_role("button", name=text["change"])).to_have_count(0)
        shot(page, f"07-mine-{tag}")
        axe_check(page, "my appointments")
        item.get_by_role("button", name=text["cancel"]).click()
        dialog = page.get_by_role("dialog", name=text["cancel_dialog"])
        expect(dialog).to_contain_text(text["late_warn"])
        page.screenshot(path=str(SHOTS / f"booking-08-cancel-late-{tag}.png"))
        axe_check(page, "cancel dialog")
        dialog.get_by_role("button", name=text["yes"]).click()
        expect(page.get_by_role("status").filter(has_text=text["cancelled_late"])).to_be_visible()
        expect(item).to_contain_text(text["late_badge"])
        after = world.ok("GET", f"/api/appointments/{booked['id']}")
        assert after["status"] == "cancelled" and after["late_cancellation"] is True
        shot(page, f"09-cancelled-late-{tag}")

        # 8. Password reset from the emailed link, then the new password signs in.
        menu(page).get_by_role("button", name=text["sign_out"]).click()
        expect(page.get_by_role("heading", level=1, name=text["sign_in"])).to_be_visible()
        page.get_by_role("link", name=text["forgot"]).click()
        # Its own page (a chunk of its own): the sign-in form's field of the same name is gone first.
        expect(page.get_by_role("heading", level=1, name=text["forgot_title"])).to_be_visible()
        page.get_by_label(text["email"]).fill(email)
        page.get_by_role("button", name=text["send_link"]).click()
        expect(page.get_by_role("status")).to_be_visible()
        reset = wait_email(world, email, text["reset_subject"])
        link = re.search(r"\S+/reset-password\?token=\S+", reset["text"]).group(0)
        assert link.startswith(world.system.base + "/reset-password?token="), link
        page.goto(link[len(world.system.base) :])
        page.get_by_label(text["new_password"]).fill(NEW_PASSWORD)
        shot(page, f"10-reset-password-{tag}")
        axe_check(page, "reset password")
        page.get_by_role("button", name=text["save_password"]).click()
        expect(page.get_by_role("status")).to_contain_text(text["password_changed"])
        page.get_by_role("link", name=text["sign_in"]).click()
        page.get_by_label(text["email"]).fill(email)
        page.get_by_label(text["password"], exact=True).fill(NEW_PASSWORD)
        page.get_by_role("button", name=text["sign_in"]).click()
        expect(page.get_by_role("heading", level=1, name=text["title"])).to_be_visible()
        shot(page, f"11-signed-in-new-password-{tag}")
        assert problems == [], problems
    finally:
        context.close()


def test_axe_is_the_real_one():
    """The accessibility checks above run the real axe-core shipped with the frontend."""
    assert AXE.exists() and "axe" in AXE.read_text()[:2000].lower() and Path(CHROMIUM).exists()
