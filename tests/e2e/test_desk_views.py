"""Issue 18: the desk's day and week views stay readable with many doctors (real Chromium, web, PostgreSQL).

A clinic with ten doctors and appointments in every status: at 1366x800 the doctors' headers sit over their
columns to the pixel (day and week, also after scrolling sideways), the status icon is always in sight and the
status words are either whole or visually hidden (never cut); the doctor filter narrows the view and is
remembered by the browser; and screenshots of the day and week views with 2 and 10 doctors, desktop and phone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, TEST_DATABASE_URL
from tests.e2e.conftest import SHOTS, ZONE
from tests.e2e.helpers import settle, shown_day, sign_in

pytestmark = pytest.mark.e2e
DOCTORS = 10
DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


class Busy:
    """Ten doctors with hours 08:00-14:00 and, next Tuesday, appointments of 20 and 30 minutes in every status."""

    def __init__(self, world):
        tag = world.tag[:4]
        self.clinic = world.ok("POST", "/api/clinics", {"name": f"Clínica Diez {tag}", "timezone": ZONE})
        self.short = world.ok("POST", "/api/services", {"name": "Revisión", "duration_minutes": 20})
        self.doctors = []
        for n in range(DOCTORS):
            doctor = world.ok(
                "POST",
                "/api/doctors",
                {
                    "email": world.email(f"ten{n}"),
                    "password": PASSWORD,
                    "full_name": f"Dra. Montserrat Fernández-Villaverde {n} {tag}"
                    if n % 3 == 0
                    else f"Dr. Luis Pérez {n} {tag}",
                    "specialty": "Medicina general",
                    "clinic_id": self.clinic["id"],
                    "service_ids": [world.service["id"], self.short["id"]],
                },
            )
            world.ok(
                "PUT",
                f"/api/doctors/{doctor['id']}/working-hours",
                [{"weekday": d, "start": "08:00", "end": "14:00"} for d in range(7)],
            )
            self.doctors.append(doctor)
        self.patients = [
            world.ok(
                "POST",
                "/api/users",
                {
                    "email": world.email(f"ten-patient{n}"),
                    "password": PASSWORD,
                    "role": "patient",
                    "full_name": f"Maximiliano Castellanos Rodríguez {n} {tag}" if n % 2 else f"Ana Gil {n} {tag}",
                },
            )
            for n in range(DOCTORS)
        ]
        self.patient = self.patients[0]
        today = datetime.now(ZoneInfo(ZONE)).date()
        self.monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        self.day = self.monday + timedelta(days=1)
        zone = ZoneInfo(ZONE)
        rows = []
        statuses = ["booked", "completed", "no_show"]
        for n, doctor in enumerate(self.doctors):
            for k, (hh, mm, minutes) in enumerate([(8, 0, 20), (8, 20, 20), (9, 0, 30), (10, 0, 30), (11, 40, 20)]):
                for day in (self.monday, self.day):
                    starts = datetime.combine(day, time(hh, mm), tzinfo=zone)
                    service = self.short["id"] if minutes == 20 else world.service["id"]
                    rows.append(
                        (
                            doctor["id"],
                            self.patients[n]["id"],
                            service,
                            self.clinic["id"],
                            starts,
                            starts + timedelta(minutes=minutes),
                            statuses[(n + k) % 3],
                        )
                    )
        # Straight to the table: no API books a past status (attended, no-show) ahead of time.
        with psycopg.connect(TEST_DATABASE_URL) as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, "
                "blocked_until, status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [(d, p, s, c, a, b, b, st) for d, p, s, c, a, b, st in rows],
            )


@pytest.fixture(scope="module")
def busy(world) -> Busy:
    return Busy(world)


def _open(page: Page, world, busy: Busy, view: str) -> None:
    sign_in(page, world.receptionist_email, "Recepción")
    page.get_by_label("Clínica").select_option(label=busy.clinic["name"])
    calendar = page.locator(".calendar")
    if view == "week":
        calendar.get_by_role("button", name="Semana").click()
        calendar.get_by_role("button", name="Siguiente").click()
    else:
        _go_to_day(page, busy.day)
    expect(calendar.locator(".rbc-event").first).to_be_visible()
    settle(page)


def _go_to_day(page: Page, day) -> None:
    calendar = page.locator(".calendar")
    for _ in range(10):
        if shown_day(page) == day:
            return
        calendar.get_by_role("button", name="Siguiente").click()
    raise AssertionError(f"never reached {day}")


_GEOMETRY = """() => {
    const headers = [...document.querySelectorAll('.rbc-time-header .rbc-resource-label')].map(l => l.closest('.rbc-header'));
    const columns = [...document.querySelectorAll('.rbc-time-content .rbc-day-slot')];
    return {headers: headers.map(h => { const r = h.getBoundingClientRect(); return [r.x, r.width]; }),
            columns: columns.map(c => { const r = c.getBoundingClientRect(); return [r.x, r.width]; }),
            scrollWidth: document.documentElement.scrollWidth};
}"""

_CLIPPED = """() => {
    // Every appointment in sight: its status icon inside it; its status words inside it or visually hidden.
    const bad = [];
    const view = {w: window.innerWidth, h: window.innerHeight};
    for (const e of document.querySelectorAll('.rbc-time-content .rbc-event')) {
        const box = e.getBoundingClientRect();
        if (box.bottom < 0 || box.top > view.h || box.right < 0 || box.left > view.w) continue;
        const inside = (r) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
        const icon = e.querySelector('.appt-icon').getBoundingClientRect();
        const meta = e.querySelector('.appt-meta');
        const m = meta.getBoundingClientRect();
        const hidden = m.width <= 1 && m.height <= 1;
        if (!inside(icon) || !(hidden || inside(m))) bad.push(e.getAttribute('title'));
    }
    return bad;
}"""


def _assert_aligned(page: Page, count: int) -> None:
    geometry = page.evaluate(_GEOMETRY)
    assert len(geometry["headers"]) == len(geometry["columns"]) == count, geometry
    for (hx, hw), (cx, cw) in zip(geometry["headers"], geometry["columns"], strict=True):
        assert abs(hx - cx) <= 1 and abs(hw - cw) <= 1, (hx, hw, cx, cw)


def _context(browser, system, viewport):
    phone = viewport["width"] < 600
    return browser.new_context(
        base_url=system.base,
        viewport=viewport,
        locale="es-ES",
        timezone_id="America/New_York",
        **({"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}),
    )


@pytest.mark.parametrize("view", ["day", "week"])
def test_ten_doctors_headers_stay_over_their_columns_and_no_status_is_cut(browser, system, world, busy, view):
    context = _context(browser, system, DESKTOP)
    page = context.new_page()
    try:
        page.set_default_timeout(15000)
        _open(page, world, busy, view)
        count = DOCTORS * (7 if view == "week" else 1)
        _assert_aligned(page, count)
        assert (
            page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
        )  # the grid scrolls, not the page
        content = page.locator(".rbc-time-content")
        scrollable = content.evaluate("c => c.scrollWidth > c.clientWidth + 1")
        assert scrollable == (view == "week"), view  # ten doctors fit a day at 1366 px; a week of them scrolls
        content.evaluate("c => { c.scrollLeft = c.scrollWidth / 3; c.scrollTop = 0; }")
        page.wait_for_timeout(200)
        _assert_aligned(page, count)  # the headers followed the columns
        content.evaluate("c => { c.scrollLeft = 0; }")
        page.wait_for_timeout(100)
        assert page.evaluate(_CLIPPED) == []
        legend = page.get_by_role("list", name="Leyenda")
        for word in ("Reservada", "Atendida", "No se presentó"):
            expect(legend).to_contain_text(word)
        event = page.locator(".rbc-event", has_text=busy.patient["full_name"]).first
        assert (
            "Reservada" in event.get_attribute("title")
            or "Atendida" in event.get_attribute("title")
            or "No se presentó" in event.get_attribute("title")
        )
    finally:
        context.close()


def test_the_doctor_filter_narrows_the_view_and_is_remembered(browser, system, world, busy):
    context = _context(browser, system, DESKTOP)
    page = context.new_page()
    try:
        page.set_default_timeout(15000)
        _open(page, world, busy, "week")
        filters = page.get_by_role("group", name="Médicos a la vista (10 de 10)")
        expect(filters.get_by_role("checkbox")).to_have_count(DOCTORS)
        keep = busy.doctors[1]["full_name"]
        filters.get_by_role("button", name=f"Ver solo a {busy.doctors[0]['full_name']}").click()
        # One doctor's week: their name over the seven days, each day's header over its column.
        expect(page.locator(".rbc-time-header .rbc-resource-label")).to_have_count(1)
        days = page.evaluate("""() => [...document.querySelectorAll('.rbc-time-header-cell > .rbc-header')]
            .map(h => { const r = h.getBoundingClientRect(); return [r.x, r.width]; })""")
        columns = page.evaluate(_GEOMETRY)["columns"]
        assert len(days) == len(columns) == 7, (days, columns)
        assert all(abs(d[0] - c[0]) <= 1 and abs(d[1] - c[1]) <= 1 for d, c in zip(days, columns, strict=True)), (
            days,
            columns,
        )
        page.get_by_role("group", name="Médicos a la vista (1 de 10)").get_by_role("checkbox", name=keep).check()
        expect(page.locator(".rbc-time-header .rbc-resource-label")).to_have_count(14)
        _assert_aligned(page, 14)
        # The last doctor in sight cannot be hidden.
        page.get_by_role("group", name="Médicos a la vista (2 de 10)").get_by_role("checkbox", name=keep).uncheck()
        only = page.get_by_role("group", name="Médicos a la vista (1 de 10)")
        expect(only.get_by_role("checkbox", name=busy.doctors[0]["full_name"])).to_be_disabled()
        only.get_by_role("checkbox", name=keep).check()
        # Remembered by this browser: a new visit shows the same two doctors.
        page.reload()
        page.get_by_label("Clínica").select_option(label=busy.clinic["name"])
        expect(page.get_by_role("group", name="Médicos a la vista (2 de 10)")).to_be_visible()
        expect(page.locator(".rbc-time-header .rbc-resource-label")).to_have_count(2)
        page.get_by_role("button", name="Ver a todos").click()
        expect(page.locator(".rbc-time-header .rbc-resource-label")).to_have_count(DOCTORS)
    finally:
        context.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_day_and_week_with_2_and_10_doctors(browser, system, world, busy, device):
    for view in ("day", "week"):
        context = _context(browser, system, DESKTOP if device == "desktop" else PHONE)
        page = context.new_page()
        try:
            page.set_default_timeout(15000)
            _open(page, world, busy, view)
            for shown in (DOCTORS, 2):
                filters = page.locator(".doctor-filter")
                if device == "phone":  # folded on a phone: its summary says how many are shown
                    expect(filters.locator("summary")).to_contain_text(f"de {DOCTORS})")
                    page.screenshot(path=str(SHOTS / f"90-desk-{view}-{shown}-doctors-phone-folded.png"))
                    filters.locator("summary").click()
                if shown == 2:
                    filters.get_by_role("button", name=f"Ver solo a {busy.doctors[0]['full_name']}").click()
                    filters.get_by_role("checkbox", name=busy.doctors[1]["full_name"]).check()
                count = shown * (7 if view == "week" else 1)
                expect(page.locator(".rbc-time-header .rbc-resource-label")).to_have_count(count)
                settle(page)
                assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
                _assert_aligned(page, count)
                assert page.evaluate(_CLIPPED) == []
                page.screenshot(path=str(SHOTS / f"90-desk-{view}-{shown}-doctors-{device}.png"), full_page=True)
                if device == "phone":
                    filters.locator("summary").click()  # fold it again
        finally:
            context.close()
