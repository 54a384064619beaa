"""Every link of the patient's appointment emails, followed in the browser (es and en): the confirmation's
"manage" link `/appointments/{id}` (sign in, then back to that appointment), the cancellation's "book again"
`/book?doctor_id=…&service_id=…` (doctor and service preselected), the waitlist offer's `/book?…` link.
The confirmation's Google and Outlook links leave for those sites (no Internet here): checked as URLs."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import SHOTS, wait_email

pytestmark = pytest.mark.e2e

TEXT = {
    "es": {
        "moved": "Cita cambiada",
        "confirmed": "Cita confirmada",
        "cancelled": "Cita cancelada",
        "manage": "Gestiona tu cita",
        "rebook": "Pide una nueva cita",
        "sign_in": "Iniciar sesión",
        "email": "Correo electrónico",
        "password": "Contraseña",
        "one": "Tu cita",
        "slots_for": "Huecos de {doctor}",
        "service": "Servicio",
        "reschedule": "Cambiar fecha",
        "booked": "Reservada",
        "list": "Ver todas mis citas",
        "mine": "Mis citas",
    },
    "en": {
        "moved": "Appointment moved",
        "confirmed": "Appointment confirmed",
        "cancelled": "Appointment cancelled",
        "manage": "Manage your appointment",
        "rebook": "Book a new appointment",
        "sign_in": "Sign in",
        "email": "Email",
        "password": "Password",
        "one": "Your appointment",
        "slots_for": "Free times of {doctor}",
        "service": "Service",
        "reschedule": "Reschedule",
        "booked": "Booked",
        "list": "See all my appointments",
        "mine": "My appointments",
    },
}


def _link(email: dict, label: str) -> str:
    """The URL written after `label:` in the text part (the HTML part carries the same link)."""
    match = re.search(rf"^{re.escape(label)}: (\S+)$", email["text"].replace("\r\n", "\n"), re.M)
    assert match, email["text"]
    assert match.group(1) in email["html"].replace("&amp;", "&"), "the HTML part links elsewhere"
    return match.group(1)


def _local(world, url: str) -> str:
    assert url.startswith(world.system.base + "/"), url
    return url[len(world.system.base) :]


def _book(world, token: str) -> dict:
    start = date.today() + timedelta(days=8)
    _, slots = world.system.call(
        "GET",
        f"/api/doctors/{world.doctor['id']}/slots?service_id={world.service['id']}"
        f"&from={start}&to={start + timedelta(days=6)}",
        token,
    )
    for slot in slots["slots"][::7]:
        status, body = world.system.call(
            "POST",
            "/api/appointments",
            token,
            body={"doctor_id": world.doctor["id"], "service_id": world.service["id"], "starts_at": slot["starts_at"]},
        )
        if status == 201:
            return body
    raise AssertionError("no slot could be booked")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_manage_link_signs_in_and_returns_then_book_again_preselects(page: Page, browser, world, lang):
    words = TEXT[lang]
    address = world.email(f"links-{lang}")
    world.ok(
        "POST",
        "/api/users",
        {
            "email": address,
            "password": PASSWORD,
            "full_name": f"Paula Enlace {lang}",
            "role": "patient",
            "locale": lang,
        },
    )
    token = world.login(address)
    appointment = _book(world, token)
    confirmation = wait_email(world, address, words["confirmed"])
    manage = _link(confirmation, words["manage"])
    # The "manage" link is /appointments/{id}; a branch moves it to a no-sign-in /a/<token> link, and the
    # route stays (the app's lists link to it): then the sign-in-and-return part starts from the route.
    # It opens the app in the email's language, whatever the browser is set to.
    assert re.fullmatch(rf"(/appointments/{appointment['id']}|/a/[\w-]+)\?lang={lang}", _local(world, manage)), manage
    route = f"{world.system.base}/appointments/{appointment['id']}"
    for other in re.findall(r"https://(?:calendar\.google\.com|outlook\.live\.com)/\S+", confirmation["text"]):
        query = parse_qs(urlparse(other).query)  # leaves for Google / Outlook: well-formed, names the doctor
        assert any(world.doctor["full_name"] in " ".join(v) for v in query.values()), other

    # Not signed in: the link asks to sign in, then opens that very appointment.
    if lang == "en":
        page.context.add_init_script("window.localStorage.setItem('clinic.locale', 'en')")
    page.goto(_local(world, route))
    expect(page.get_by_role("heading", level=1, name=words["sign_in"])).to_be_visible()
    page.get_by_label(words["email"]).fill(address)
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.get_by_role("heading", level=1, name=words["one"])).to_be_visible()
    assert urlparse(page.url).path == f"/appointments/{appointment['id']}"
    panel = page.locator("section.panel")
    expect(panel).to_contain_text(world.doctor["full_name"])
    expect(panel).to_contain_text(words["booked"])
    expect(panel.get_by_role("button", name=words["reschedule"])).to_be_visible()
    page.screenshot(path=str(SHOTS / f"60-appointment-from-email-{lang}.png"), full_page=True)

    # The app's own list links to the same page.
    page.get_by_role("link", name=words["list"]).click()
    expect(page.get_by_role("heading", level=1, name=words["mine"])).to_be_visible()
    page.locator("li.appointment").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1, name=words["one"])).to_be_visible()

    # Someone else's appointment: a clear "not found", never somebody's data (in a second tab of this sign-in,
    # since the browser logs the API's 404 as a console error, which fails the main page's checks).
    other = browser.new_context(base_url=world.system.base, storage_state=page.context.storage_state())
    try:
        tab = other.new_page()
        tab.goto(f"/appointments/{world.started}")
        expect(tab.get_by_role("alert")).to_contain_text(
            {"es": "No encontramos esa cita.", "en": "We could not find that appointment."}[lang]
        )
        expect(tab.locator("section.panel")).to_have_count(0)
    finally:
        other.close()

    # Moved: its email's "manage" link opens the same appointment at its new time.
    status, slots = world.system.call(
        "GET",
        f"/api/doctors/{world.doctor['id']}/slots?service_id={world.service['id']}"
        f"&from={date.today() + timedelta(days=20)}&to={date.today() + timedelta(days=26)}",
        token,
    )
    moved = None
    for slot in slots["slots"][5::9]:
        status, body = world.system.call(
            "PATCH", f"/api/appointments/{appointment['id']}", token, body={"starts_at": slot["starts_at"]}
        )
        if status == 200:
            moved = body
            break
    assert moved, "could not move the appointment"
    moved_mail = wait_email(world, address, words["moved"])
    moved_link = _local(world, _link(moved_mail, words["manage"]))
    assert re.fullmatch(rf"(/appointments/{appointment['id']}|/a/[\w-]+)\?lang={lang}", moved_link), moved_link
    page.goto(moved_link if moved_link.startswith("/appointments/") else _local(world, route))
    expect(page.get_by_role("heading", level=1, name=words["one"])).to_be_visible()
    expect(page.locator("section.panel h2")).to_contain_text(moved["starts_at"][11:16])

    # Cancelled: "book again" opens booking with that doctor and service already chosen.
    world.ok("POST", f"/api/appointments/{appointment['id']}/cancel", {}, token=token)
    cancelled = wait_email(world, address, words["cancelled"])
    again = _local(world, _link(cancelled, words["rebook"]))
    assert parse_qs(urlparse(again).query) == {
        "doctor_id": [str(world.doctor["id"])],
        "service_id": [str(world.service["id"])],
        "lang": [lang],
    }
    page.goto(again)
    heading = page.get_by_role("heading", level=2, name=words["slots_for"].format(doctor=world.doctor["full_name"]))
    expect(heading).to_be_visible()
    section = page.locator("section.panel")
    expect(section.get_by_label(words["service"])).to_have_value(str(world.service["id"]))
    # the doctor's "see times" button, pressed
    expect(page.locator(f"button[aria-pressed='true'][aria-label$='{world.doctor['full_name']}']")).to_have_count(1)
    page.screenshot(path=str(SHOTS / f"61-book-again-from-email-{lang}.png"), full_page=True)


def test_book_link_for_someone_signed_out_preselects_and_asks_for_the_account_at_confirmation(page: Page, world):
    """Booking is open to visitors (browse first, the account at confirmation): the link works signed out."""
    page.goto(f"/book?doctor_id={world.doctor['id']}&service_id={world.service['id']}")
    expect(page.get_by_role("heading", level=1, name="Pedir cita")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=f"Huecos de {world.doctor['full_name']}")).to_be_visible()
    expect(page.locator(f"button[aria-pressed='true'][aria-label$='{world.doctor['full_name']}']")).to_have_count(1)
    assert parse_qs(urlparse(page.url).query)["doctor_id"] == [str(world.doctor["id"])]
