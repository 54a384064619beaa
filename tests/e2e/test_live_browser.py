"""Live updates in real Chromium, two browser contexts side by side: what one person does shows on the
other's screen within 2 s, without a reload (GET /api/events through gunicorn, the worker's relay, Redis)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import LANGS, later_times, sign_in_speaking, snap, speaking, time_in_next_week

pytestmark = pytest.mark.e2e
WITHIN_MS = 2000


@pytest.fixture()
def two_pages(browser, system):
    """Two separate browser profiles (two people), failing the test on any console error or 5xx."""
    problems: list[str] = []
    contexts, pages = [], []
    for _ in range(2):
        context = browser.new_context(
            base_url=system.base,
            viewport={"width": 1280, "height": 900},
            locale="es-ES",
            timezone_id="America/New_York",
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
        page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
        page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
        opened = STREAMS_OPENED.setdefault(id(page), [])
        page.on("request", lambda r, opened=opened: r.url.endswith("/api/events") and opened.append(r.url))
        contexts.append(context)
        pages.append(page)
    yield pages
    for context in contexts:
        context.close()
    assert problems == [], problems


def _mark_no_reload(page: Page) -> None:
    page.evaluate("window.__sameDocument = 'yes'")


def _assert_no_reload(page: Page) -> None:
    assert page.evaluate("window.__sameDocument") == "yes", "the page was reloaded"


STREAMS_OPENED: dict[int, list[str]] = {}


def _events_requests(page: Page) -> list[str]:
    return STREAMS_OPENED.get(id(page), [])


@pytest.mark.parametrize("lang", LANGS)
def test_desk_and_my_appointments_follow_each_other_live(two_pages, world, lang):
    desk, patient = two_pages
    name = world.walk_in["full_name"]
    patient_email = world.email("lucia")

    with speaking(world, lang, world.receptionist_email, patient_email) as w:
        sign_in_speaking(desk, world.receptionist_email, lang, "desk")
        desk.get_by_label(w["clinic"], exact=True).select_option(label=world.clinic["name"])
        calendar = desk.locator(".calendar")
        calendar.get_by_role("button", name=w["week"], exact=True).click()
        calendar.get_by_role("button", name=w["next"], exact=True).click()
        expect(desk.locator(".rbc-event", has_text=name)).to_have_count(0)
        _mark_no_reload(desk)

        # The patient books in their own browser: the desk's week shows it within 2 s.
        sign_in_speaking(patient, patient_email, lang, "book")
        patient.get_by_role("button", name=w["see_times"].format(doctor=world.doctor["full_name"])).click()
        later_times(patient, patient, w["later_days"])  # today + 5 .. today + 9: some are in the desk's next week
        time_in_next_week(patient).click()
        patient.get_by_role("region", name=w["confirm_region"]).get_by_role("button", name=w["confirm"]).click()
        expect(patient.get_by_role("heading", name=w["confirmed"])).to_be_visible()
        answered = time.monotonic()
        expect(desk.locator(".rbc-event", has_text=name)).to_be_visible(timeout=WITHIN_MS)
        booked_after = time.monotonic() - answered
        if lang == "es":
            snap(desk, "60-live-desk-after-patient-booked", back=lang)

        # The patient cancels it in "my appointments": it leaves the desk's week within 2 s.
        patient.get_by_role("navigation").get_by_role("link", name=w["my_appointments"], exact=True).click()
        item = patient.locator("li.appointment", has_text=world.doctor["full_name"]).filter(has_text=w["booked"])
        expect(item).to_have_count(1)
        _mark_no_reload(patient)
        item.get_by_role("button", name=w["cancel"]).click()
        patient.get_by_role("dialog", name=w["cancel_title"]).get_by_role("button", name=w["cancel_confirm"]).click()
        expect(patient.get_by_role("status").filter(has_text=w["cancelled"])).to_be_visible()
        answered = time.monotonic()
        expect(desk.locator(".rbc-event", has_text=name)).to_have_count(0, timeout=WITHIN_MS)
        cancelled_after = time.monotonic() - answered
        _assert_no_reload(desk)

        # The front desk books for the patient (another process, the API): "my appointments" shows it within 2 s.
        booked = max(world.appointments(patient_id=world.walk_in["id"]), key=lambda a: a["id"])
        day = booked["starts_at"][:10]
        free = world.ok(
            "GET",
            f"/api/doctors/{world.doctor['id']}/slots?service_id={world.service['id']}"
            f"&from={day}&to={day}&patient_id={world.walk_in['id']}",
        )["slots"]
        staff_booked = world.ok(
            "POST",
            "/api/appointments",
            {
                "doctor_id": world.doctor["id"],
                "service_id": world.service["id"],
                "starts_at": free[-1]["starts_at"],
                "patient_id": world.walk_in["id"],
            },
            token=world.login(world.receptionist_email),
        )
        answered = time.monotonic()
        expect(patient.locator("li.appointment", has_text=w["booked"])).to_have_count(1, timeout=WITHIN_MS)
        staff_booked_after = time.monotonic() - answered
        if lang == "es":
            snap(patient, "61-live-my-appointments-after-desk-booked", back=lang)
        world.ok("POST", f"/api/appointments/{staff_booked['id']}/cancel", {})
        answered = time.monotonic()
        expect(patient.locator("li.appointment", has_text=w["booked"])).to_have_count(0, timeout=WITHIN_MS)
        staff_cancelled_after = time.monotonic() - answered
        _assert_no_reload(patient)
        _assert_no_reload(desk)

    # One stream per tab, however many screens listen (the desk's week, its panels).
    assert len(_events_requests(desk)) == 1, _events_requests(desk)
    print(
        f"live ({lang}): desk saw the patient's booking after {booked_after * 1000:.0f} ms, its cancellation after "
        f"{cancelled_after * 1000:.0f} ms; the patient saw the desk's booking after "
        f"{staff_booked_after * 1000:.0f} ms and its cancellation after {staff_cancelled_after * 1000:.0f} ms"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_doctors_agenda_follows_the_desk_live(two_pages, world, lang):
    """The doctor's agenda (one context) shows what the front desk books and cancels (the other) within 2 s."""
    agenda, desk = two_pages
    name = world.seen["full_name"]
    with speaking(world, lang, world.doctor_email, world.receptionist_email) as w:
        sign_in_speaking(agenda, world.doctor_email, lang, "agenda")
        calendar = agenda.locator(".calendar")
        calendar.get_by_role("button", name=w["week"], exact=True).click()
        calendar.get_by_role("button", name=w["next"], exact=True).click()
        expect(agenda.locator(".rbc-event", has_text=name)).to_have_count(0)
        _mark_no_reload(agenda)

        sign_in_speaking(desk, world.receptionist_email, lang, "desk")
        desk.get_by_label(w["clinic"], exact=True).select_option(label=world.clinic["name"])
        desk.get_by_role("button", name=w["book_for"]).click()
        dialog = desk.get_by_role("dialog", name=w["book_for"])
        dialog.get_by_label(w["search"]).fill(name[:9])
        dialog.get_by_role("button", name=name).click()
        later_times(desk, dialog, w["later_days"])  # the patients' time picker
        time_in_next_week(dialog).click()
        dialog.get_by_role("button", name=w["confirm"]).click()
        expect(desk.get_by_role("status").filter(has_text=w["booked_for"].format(name=name))).to_be_visible()
        answered = time.monotonic()
        expect(agenda.locator(".rbc-event", has_text=name)).to_be_visible(timeout=WITHIN_MS)
        booked_after = time.monotonic() - answered
        if lang == "es":
            snap(agenda, "62-live-agenda-after-desk-booked", back=lang)

        booked = [
            a
            for a in world.appointments(patient_id=world.seen["id"], status="booked")
            if a["doctor_id"] == world.doctor["id"] and a["id"] != world.started
        ]
        for appointment in booked:
            world.ok("POST", f"/api/appointments/{appointment['id']}/cancel", {})
        answered = time.monotonic()
        expect(agenda.locator(".rbc-event", has_text=name)).to_have_count(0, timeout=WITHIN_MS)
        cancelled_after = time.monotonic() - answered
        _assert_no_reload(agenda)
    assert len(_events_requests(agenda)) == 1, _events_requests(agenda)
    print(
        f"live ({lang}): the agenda saw the desk's booking after {booked_after * 1000:.0f} ms and its cancellation "
        f"after {cancelled_after * 1000:.0f} ms"
    )
