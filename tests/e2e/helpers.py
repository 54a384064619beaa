"""Small steps shared by the browser scenarios."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from datetime import date, timedelta

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


def snap(page: Page, name: str, back: str = "es") -> None:
    """Screenshots of the current screen in Spanish and in English (then back to `back`, Spanish unless told)."""
    settle(page)
    full = page.get_by_role("dialog").count() == 0  # a dialog is seen over the viewport, as a person sees it
    page.screenshot(path=str(SHOTS / f"{name}-es.png"), full_page=full)
    set_language(page, "en")
    settle(page)
    page.screenshot(path=str(SHOTS / f"{name}-en.png"), full_page=full)
    set_language(page, back)
    settle(page)


def sign_in(page: Page, email: str, landing_heading: str) -> None:
    page.goto("/login")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", level=1, name=landing_heading)).to_be_visible()


def later_times(page: Page, scope, label: str = "Días siguientes"):
    """Move the time picker in `scope` to the next days (every time then lies beyond the 24 h change cutoff)."""
    scope.get_by_role("button", name=label).click()
    expect(scope.locator(".time-picker")).to_have_attribute("aria-busy", "false")
    times = scope.locator("button.time")
    expect(times.first).to_be_visible()
    return times


def time_in_next_week(scope):
    """A free time shown by a time picker (moved on with later_times) on a day of next calendar week, Monday
    first as the desk's week (today + 5 .. today + 9 always holds some of next week's days)."""
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    for offset in range(7):
        day = monday + timedelta(days=offset)
        times = scope.locator(f"section.day-column:has(#day-{day.isoformat()}) button.time")
        if times.count() >= 2:
            return times.nth(1)
    raise AssertionError("no free time next week in the picker")


def wait_email(world, address: str, subject: str, timeout: float = 30.0) -> dict:
    """The first email to `address` whose subject starts with `subject`, waiting up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in world.system.mail.to(address) if e["subject"].strip().startswith(subject)]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no email {subject!r}; got {[e['subject'] for e in world.system.mail.to(address)]}")


# What the staff screens say, in both languages: the acceptance walks run in each (frontend/src/lib/messages.js).
WORDS = {
    "es": {
        "desk": "Recepción",
        "agenda": "Mi agenda",
        "clinic": "Clínica",
        "next": "Siguiente",
        "week": "Semana",
        "day": "Día",
        "legend": "Leyenda",
        "booked": "Reservada",
        "completed": "Atendida",
        "no_show": "No se presentó",
        "off_hours": "Fuera del horario del médico",
        "moved": "Cita movida al",
        "refused": "fuera del horario del médico",
        "details": "Detalles de la cita",
        "cancel": "Anular cita",
        "cancel_title": "¿Anular esta cita?",
        "cancel_reason": "Motivo para el paciente (opcional)",
        "cancel_confirm": "Sí, anular",
        "cancelled": "Cita anulada.",
        "schedule": "Horario y ausencias",
        "starts": "Empieza",
        "ends": "Termina",
        "reason": "Motivo",
        "check_time_off": "Comprobar ausencia",
        "preview": "Antes de añadir esta ausencia",
        "cancels_n": "Esta ausencia anula {n} cita(s)",
        "confirm_n": "Añadir la ausencia y anular {n} cita(s)",
        "affected": "Citas afectadas",
        "book_for": "Reservar para un paciente",
        "search": "Buscar paciente",
        "no_match": "Ningún paciente coincide.",
        "walk_in": "¿No está? Registrar paciente sin cita previa",
        "register": "Registrar paciente",
        "full_name": "Nombre completo",
        "email_opt": "Correo electrónico (opcional)",
        "birth_opt": "Fecha de nacimiento (opcional)",
        "register_book": "Registrar y reservar",
        "confirm": "Confirmar cita",
        "booked_for": "Cita reservada para {name}",
        "later_days": "Días siguientes",
        "choose_password": "Elige tu contraseña",
        "shown": "Médicos a la vista ({shown} de {total})",
        "book": "Pedir cita",
        "see_times": "Ver huecos: {doctor}",
        "confirm_region": "Confirmar la cita",
        "confirmed": "Cita confirmada",
        "my_appointments": "Mis citas",
    },
    "en": {
        "desk": "Front desk",
        "agenda": "My agenda",
        "clinic": "Clinic",
        "next": "Next",
        "week": "Week",
        "day": "Day",
        "legend": "Legend",
        "booked": "Booked",
        "completed": "Attended",
        "no_show": "No-show",
        "off_hours": "Outside the doctor's hours",
        "moved": "Appointment moved to",
        "refused": "outside the doctor's working hours",
        "details": "Appointment details",
        "cancel": "Cancel appointment",
        "cancel_title": "Cancel this appointment?",
        "cancel_reason": "Reason for the patient (optional)",
        "cancel_confirm": "Yes, cancel it",
        "cancelled": "Appointment cancelled.",
        "schedule": "Hours & time off",
        "starts": "Starts",
        "ends": "Ends",
        "reason": "Reason",
        "check_time_off": "Check time off",
        "preview": "Before adding this time off",
        "cancels_n": "This time off cancels {n} booked appointment(s)",
        "confirm_n": "Add time off and cancel {n} appointment(s)",
        "affected": "Affected appointments",
        "book_for": "Book for a patient",
        "search": "Search patient",
        "no_match": "No patient matches.",
        "walk_in": "Not there? Register a walk-in patient",
        "register": "Register patient",
        "full_name": "Full name",
        "email_opt": "Email (optional)",
        "birth_opt": "Date of birth (optional)",
        "register_book": "Register and book",
        "confirm": "Confirm appointment",
        "booked_for": "Booked for {name}",
        "later_days": "Later days",
        "choose_password": "Choose your password",
        "shown": "Doctors shown ({shown} of {total})",
        "book": "Book an appointment",
        "see_times": "See times: {doctor}",
        "confirm_region": "Confirm the appointment",
        "confirmed": "Appointment confirmed",
        "my_appointments": "My appointments",
    },
}
LANGS = list(WORDS)


@contextmanager
def speaking(world, lang: str, *emails: str):
    """These staff accounts use `lang` (their profile's language wins once signed in), Spanish again after."""
    tokens = [world.login(email) for email in emails]
    for token in tokens:
        world.ok("PATCH", "/api/me", {"locale": lang}, token=token)
    try:
        yield WORDS[lang]
    finally:
        for token in tokens:
            world.ok("PATCH", "/api/me", {"locale": "es"}, token=token)


def sign_in_speaking(page: Page, email: str, lang: str, landing: str) -> None:
    """Sign in on the (Spanish) login page; the screens then speak the account's language."""
    sign_in_to(page, email)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1, name=WORDS[lang][landing])).to_be_visible()


def sign_in_to(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()


MONTHS = {
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "en": [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
}


def shown_day(page: Page) -> date | None:
    """The day in the calendar's day view title: "miércoles, 9 de diciembre de 2026" or "Wednesday, December 9, 2026"."""
    text = page.locator(".rbc-toolbar-label").inner_text().lower()
    if m := re.search(r"(\d{1,2}) de (\w+) de (\d{4})", text):
        return date(int(m.group(3)), MONTHS["es"].index(m.group(2)) + 1, int(m.group(1)))
    if m := re.search(r"(\w+) (\d{1,2}), (\d{4})", text):
        return date(int(m.group(3)), MONTHS["en"].index(m.group(1)) + 1, int(m.group(2)))
    return None
